import { MidgramError } from "../../errors.ts";

/**
 * Bytes that are not binrpc: a bad header, a bad record, a packet shorter
 * than its header says. A `MidgramError` carrying the byte offset of the
 * problem; its code (`request-syntax`, `reply-syntax`, `truncated-reply`, …)
 * says which side read the bytes and gives the exit status.
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
 *   assert.equal(e.exitCode, 5);
 * }
 * ```
 */
export class BinRpcSyntaxError extends MidgramError {
  /**
   * The error code of `lib/errors.ts`: `request-syntax` or `reply-syntax`
   * for malformed bytes, `truncated-reply` when the bytes stop before the
   * packet's end.
   */
  declare readonly code:
    | "request-syntax"
    | "reply-syntax"
    | "truncated-reply"
    | "request-too-large"
    | "reply-too-large";
  /** What is wrong, without the offset: the message's end (`unknown packet type "3"`). */
  readonly detail: string;
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
    super(options.code ?? "reply-syntax", `Cannot read binrpc at byte ${offset}: ${detail}`);
    this.name = "BinRpcSyntaxError";
    this.detail = detail;
    this.offset = offset;
    this.truncated = options.truncated ?? false;
    this.reply = options.reply ?? null;
  }
}
