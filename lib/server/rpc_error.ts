import type { Value } from "../protocol/value.ts";

/**
 * What a command handler throws to answer with an error: a code, a message
 * and optional data. Each dialect writes it in its own form: MI
 * `404 Not found` (codes outside 100–999 become 500), a JSON-RPC error
 * object `{"code":404,"message":"Not found"}`, a binrpc fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RpcError } from "./rpc_error.ts";
 * const handler = () => {
 *   throw new RpcError(404, "No such dialog", { id: "a1" });
 * };
 * assert.throws(handler, { code: 404, message: "No such dialog", data: { id: "a1" } });
 * ```
 */
export class RpcError extends Error {
  /** The error code. */
  readonly code: number;
  /** Extra data (JSON-RPC `data`); ignored by dialects that have no place for it. */
  readonly data?: Value;

  constructor(code: number, message: string, data?: Value) {
    if (!Number.isInteger(code)) throw new TypeError(`RpcError: code ${code} is not an integer`);
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }
}
