import type { DialectName } from "./dialect.ts";
import { binrpcResult } from "./binrpc/binrpc_result.ts";
import type { Value } from "./value.ts";
import { jsonShape } from "./value_json.ts";

/**
 * A reply's result as JSON shows it and paths read it, the same for binrpc
 * and JSON-RPC: a binrpc reply's values become one result
 * ({@linkcode binrpcResult}) in its {@linkcode jsonShape}, as Kamailio's
 * `jsonrpcs` answers the same method; other dialects' results pass as they
 * are. The one place `send --json`, `--value` and the exporter get it from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replyResult } from "./reply_result.ts";
 * import { Members } from "./value.ts";
 * const records = [new Members([["RECORDS", new Members([["SET", 2], ["SET", 1]])]])];
 * assert.equal(JSON.stringify(replyResult("binrpc", records)), '{"RECORDS":[{"SET":2},{"SET":1}]}');
 * assert.deepEqual(replyResult("jsonrpc", { uptime: 5 }), { uptime: 5 });
 * ```
 */
export function replyResult(dialect: DialectName, value: Value): Value {
  if (dialect !== "binrpc") return value;
  return jsonShape(binrpcResult(Array.isArray(value) ? value as readonly Value[] : [value]));
}
