import { MidgramError } from "../../errors.ts";
import { checkReplyName } from "./_fifo_names.ts";

/** OpenSIPS `mi_fifo` reads one request in a buffer of this many bytes. */
export const OPENSIPS_FIFO_BUFFER = 4096;

/** Options of {@linkcode writeOpensipsFifoRequest}. */
export interface OpensipsFifoWriteOptions {
  /** The server's `reply_dir` (default `/tmp/`): the full reply path must stay under 128 bytes. */
  replyDir?: string;
}

/**
 * Frames a JSON-RPC request for OpenSIPS `mi_fifo`: `:REPLY_NAME:` then the
 * JSON and a newline, to be written in one `write()`. An empty name asks for
 * no reply. Throws `unrepresentable` for a name the server refuses (with
 * `.`, `/`, `\`, or too long for its 128-byte path) and `request-too-large`
 * past its 4096-byte buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeOpensipsFifoRequest } from "./write_opensips_fifo_request.ts";
 * const json = new TextEncoder().encode('{"jsonrpc":"2.0","method":"uptime","id":1}');
 * assert.equal(
 *   new TextDecoder().decode(writeOpensipsFifoRequest("midgram_1", json)),
 *   ':midgram_1:{"jsonrpc":"2.0","method":"uptime","id":1}\n',
 * );
 * ```
 */
export function writeOpensipsFifoRequest(
  replyName: string,
  request: Uint8Array,
  options: OpensipsFifoWriteOptions = {},
): Uint8Array {
  checkReplyName(replyName);
  const dir = options.replyDir ?? "/tmp/";
  const nameBytes = new TextEncoder().encode(replyName);
  if (new TextEncoder().encode(dir).length + nameBytes.length + 1 > 128) {
    throw new MidgramError(
      "unrepresentable",
      `Cannot use the reply FIFO name "${replyName}": the path in "${dir}" is over 127 bytes`,
    );
  }
  const out = new Uint8Array(nameBytes.length + request.length + 3);
  out[0] = 0x3a;
  out.set(nameBytes, 1);
  out[nameBytes.length + 1] = 0x3a;
  out.set(request, nameBytes.length + 2);
  out[out.length - 1] = 0x0a;
  if (out.length > OPENSIPS_FIFO_BUFFER) {
    throw new MidgramError(
      "request-too-large",
      `Request too large: "${out.length}" bytes, OpenSIPS's FIFO reads at most ${OPENSIPS_FIFO_BUFFER}`,
    );
  }
  return out;
}
