import type { Value } from "../value.ts";

/**
 * A binrpc reply's values as one result, laid out as Kamailio's `jsonrpcs`
 * answers the same method: one value is that value (`core.uptime`'s struct,
 * `core.version`'s string); none or several are the list of them
 * (`htable.dump`'s slots, `system.listMethods`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binrpcResult } from "./binrpc_result.ts";
 * assert.deepEqual(binrpcResult([{ uptime: 5 }]), { uptime: 5 });
 * assert.deepEqual(binrpcResult(["a", "b"]), ["a", "b"]);
 * assert.deepEqual(binrpcResult([]), []);
 * ```
 */
export function binrpcResult(values: readonly Value[]): Value {
  return values.length === 1 ? values[0] : values;
}
