import { MidgramError } from "../../errors.ts";
import { checkReplyName } from "./_fifo_names.ts";

/** Kamailio `jsonrpcs` reads one FIFO request into a buffer of this many bytes (the last kept for NUL). */
export const KAMAILIO_FIFO_BUFFER = 8192;

/**
 * Adds `"reply_name"` to a JSON-RPC request object for Kamailio's
 * `jsonrpcs` FIFO (the reply FIFO is that name in its `fifo_reply_dir`).
 * Throws `unrepresentable` for a refused name (with `.`, `/`, `\`, or 128
 * bytes and more) or a request that is not an object, and
 * `request-too-large` past the server's 8191-byte read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeKamailioFifoRequest } from "./write_kamailio_fifo_request.ts";
 * const json = new TextEncoder().encode('{"jsonrpc":"2.0","method":"core.uptime","id":1}');
 * assert.equal(
 *   new TextDecoder().decode(writeKamailioFifoRequest(json, "midgram_1")),
 *   '{"reply_name":"midgram_1","jsonrpc":"2.0","method":"core.uptime","id":1}\n',
 * );
 * ```
 */
export function writeKamailioFifoRequest(request: Uint8Array, replyName: string): Uint8Array {
  checkReplyName(replyName);
  if (replyName === "" || new TextEncoder().encode(replyName).length >= 128) {
    throw new MidgramError(
      "unrepresentable",
      `Cannot use the reply FIFO name "${replyName}": it must be 1 to 127 bytes`,
    );
  }
  let start = 0;
  while (start < request.length && request[start] <= 32) start++;
  if (request[start] !== 0x7b) {
    throw new MidgramError(
      "unrepresentable",
      "Cannot add a reply name: the request is not a JSON object",
    );
  }
  let inner = start + 1;
  while (inner < request.length && request[inner] <= 32) inner++;
  const empty = request[inner] === 0x7d;
  const head = new TextEncoder().encode(
    `{"reply_name":${JSON.stringify(replyName)}${empty ? "" : ","}`,
  );
  const out = new Uint8Array(head.length + request.length - start - 1 + 1);
  out.set(head, 0);
  out.set(request.subarray(start + 1), head.length);
  out[out.length - 1] = 0x0a;
  if (out.length > KAMAILIO_FIFO_BUFFER - 1) {
    throw new MidgramError(
      "request-too-large",
      `Request too large: "${out.length}" bytes, Kamailio's FIFO reads at most ${
        KAMAILIO_FIFO_BUFFER - 1
      }`,
    );
  }
  return out;
}
