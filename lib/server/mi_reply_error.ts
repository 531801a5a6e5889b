import { RpcError } from "./rpc_error.ts";

/**
 * What a command handler throws to answer with an error reply in tree form,
 * such as `400 Too few or too many arguments\n\n` or `404 Not found\n\n`: an
 * {@linkcode RpcError} (so a `MidgramError` of code `error-reply`) whose
 * reply code is an MI reply code, 100–999.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MiReplyError } from "./mi_reply_error.ts";
 * const handler = (args: unknown[]) => {
 *   if (args.length !== 1) throw new MiReplyError(400, "Too few or too many arguments");
 * };
 * assert.throws(() => handler([]), { miCode: 400, message: "Too few or too many arguments" });
 * ```
 */
export class MiReplyError extends RpcError {
  /** The reason written after the code. */
  readonly reason: string;

  constructor(code: number, reason: string) {
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw new TypeError(`MiReplyError: code ${code} is not a number from 100 to 999`);
    }
    if (/[\r\n]/.test(reason)) {
      throw new TypeError("MiReplyError: the reason cannot hold a line break");
    }
    super(code, reason);
    this.name = "MiReplyError";
    this.reason = reason;
  }
}

/** The standard argument-count error of the real servers. */
export const TOO_FEW_OR_TOO_MANY = (): MiReplyError =>
  new MiReplyError(400, "Too few or too many arguments");

/** The standard bad-value error of the real servers. */
export const BAD_PARAMETER = (): MiReplyError => new MiReplyError(400, "Bad parameter");
