import { MidgramError } from "../errors.ts";
import type { Value } from "../protocol/value.ts";

/**
 * What a command handler throws to answer with an error: the reply's own
 * code, a message and optional data. Each dialect writes it in its own form:
 * MI `404 Not found` (codes outside 100–999 become 500), a JSON-RPC error
 * object `{"code":404,"message":"Not found"}`, a binrpc fault.
 *
 * A {@linkcode MidgramError} of code `error-reply` (exit status 1): the
 * reply's own code is {@linkcode RpcError.replyCode}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RpcError } from "./rpc_error.ts";
 * const handler = () => {
 *   throw new RpcError(404, "No such dialog", { id: "a1" });
 * };
 * assert.throws(handler, { replyCode: 404, message: "No such dialog", data: { id: "a1" } });
 * assert.throws(handler, { code: "error-reply", exitCode: 1, miCode: 404 });
 * ```
 */
export class RpcError extends MidgramError {
  /** The reply's error code: MI reply code, JSON-RPC error code, binrpc fault code. */
  readonly replyCode: number;
  /** Extra data (JSON-RPC `data`); ignored by dialects that have no place for it. */
  readonly data?: Value;

  constructor(code: number, message: string, data?: Value) {
    if (!Number.isInteger(code)) throw new TypeError(`RpcError: code ${code} is not an integer`);
    super("error-reply", message);
    this.name = "RpcError";
    this.replyCode = code;
    this.data = data;
  }

  /** The MI reply code: {@linkcode RpcError.replyCode} when it is 100–999, else 500. */
  override get miCode(): number {
    return this.replyCode >= 100 && this.replyCode <= 999 ? this.replyCode : 500;
  }

  /** The JSON-RPC error code: {@linkcode RpcError.replyCode}. */
  override get jsonRpcCode(): number {
    return this.replyCode;
  }
}
