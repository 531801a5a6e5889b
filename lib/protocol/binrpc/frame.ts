import { _MAX_PACKET } from "./_constants.ts";
import { _faultPacket } from "./_fault.ts";
import { _readHeader } from "./read_packet.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";

/** Options of {@linkcode frame}. */
export interface FrameOptions {
  /** Which side reads: `request-syntax` (a server, the default) or `reply-syntax` (a client). */
  code?: "request-syntax" | "reply-syntax";
  /** Largest packet accepted (as announced by its header). Default 65535 (ctl's stream buffer). */
  maxPacket?: number;
}

/**
 * For stream transports: the length of the first whole packet at the start
 * of `buffer`, or 0 while more bytes are needed. Mirrors ctl: fewer than 4
 * bytes always wait; then a bad magic/version or an unknown packet type
 * throws {@linkcode BinRpcSyntaxError} whose `reply` is the fault ctl sends
 * (`400 bad request: corrupted packet`, cookie 0) before it closes the
 * connection; a packet longer than `maxPacket` throws with code
 * `request-too-large` and no reply (ctl's buffer fills and it closes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frame } from "./frame.ts";
 * const packet = Uint8Array.from([0xa1, 0x00, 0x03, 0x07, 0x21, 0x61, 0x00]);
 * assert.equal(frame(packet.subarray(0, 5)), 0);
 * assert.equal(frame(Uint8Array.from([...packet, 0xa1])), 7);
 * ```
 */
export function frame(buffer: Uint8Array, options: FrameOptions = {}): number {
  const code = options.code ?? "request-syntax";
  let head;
  try {
    head = _readHeader(buffer, code);
  } catch (e) {
    if (!(e instanceof BinRpcSyntaxError) || code !== "request-syntax") throw e;
    throw new BinRpcSyntaxError(e.detail, e.offset, {
      code,
      reply: _faultPacket(0, 400, "bad request: corrupted packet"),
    });
  }
  if (head === null) return 0;
  const length = head.bodyAt + head.bodyLength;
  const max = options.maxPacket ?? _MAX_PACKET;
  if (length > max) {
    throw new BinRpcSyntaxError(`packet of ${length} bytes is longer than ${max}`, 0, {
      code: code === "request-syntax" ? "request-too-large" : "reply-too-large",
    });
  }
  return buffer.length < length ? 0 : length;
}
