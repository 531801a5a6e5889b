/**
 * Bytes that are not binrpc: a bad header, a bad record, a packet shorter
 * than its header says. A `SyntaxError` carrying the byte offset of the
 * problem and an error code of `lib/errors.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPacket } from "./read_packet.ts";
 * import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";
 * try {
 *   readPacket(new Uint8Array([0xb1, 0x00, 0x00, 0x00]));
 * } catch (e) {
 *   assert.ok(e instanceof BinRpcSyntaxError);
 *   assert.equal(e.offset, 0);
 * }
 * ```
 */
export class BinRpcSyntaxError extends SyntaxError {
  /**
   * The error code of `lib/errors.ts`: `request-syntax` or `reply-syntax`
   * for malformed bytes, `truncated-reply` when the bytes stop before the
   * packet's end.
   */
  readonly code:
    | "request-syntax"
    | "reply-syntax"
    | "truncated-reply"
    | "request-too-large"
    | "reply-too-large";
  /** Byte offset of the problem, from the start of the bytes given. */
  readonly offset: number;
  /** The bytes stop before the packet or record ends (more bytes could fix it). */
  readonly truncated: boolean;
  /**
   * What Kamailio's `ctl` sends before it closes a stream on these bytes
   * (a fault packet), or `null` when it sends nothing.
   */
  readonly reply: Uint8Array | null;

  constructor(
    detail: string,
    offset: number,
    options: {
      code?: BinRpcSyntaxError["code"];
      truncated?: boolean;
      reply?: Uint8Array | null;
    } = {},
  ) {
    super(`Cannot read binrpc at byte ${offset}: ${detail}`);
    this.name = "BinRpcSyntaxError";
    this.offset = offset;
    this.truncated = options.truncated ?? false;
    this.code = options.code ?? "reply-syntax";
    this.reply = options.reply ?? null;
  }
}
