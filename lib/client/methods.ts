import type { ClientCodec, DialectName } from "../protocol/dialect.ts";
import { isStruct, NO_PARAMS, structEntries, type Value } from "../protocol/value.ts";
import type { AnyAddress, Transport } from "../transport/types.ts";
import { clientCodec } from "../protocol/dialects.ts";
import { type Flavour, peerOf } from "../protocol/peer.ts";
import { call } from "./call.ts";
import { detectDialect, mustDetect, withDetected } from "./detect.ts";

/**
 * The method that lists a server's methods: `which` for text MI and
 * OpenSIPS 3, `system.listMethods` for Kamailio (binrpc and jsonrpcs); the
 * peer's fact ({@linkcode peerOf}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listMethodsName } from "./methods.ts";
 * assert.equal(listMethodsName("binrpc"), "system.listMethods");
 * ```
 */
export function listMethodsName(dialect: DialectName, flavour?: string): string {
  return peerOf(dialect, flavour).methods.list;
}

/** The strings of a reply value, wherever they are (a list, an MI tree, binrpc's flat list). */
function strings(value: Value, out: string[]): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) { for (const v of value as readonly Value[]) strings(v, out); }
  else if (isStruct(value)) {
    // An MI tree node: its value is the name.
    const entries = structEntries(value);
    const v = entries.find(([n]) => n === "value");
    if (v && entries.some(([n]) => n === "children")) strings(v[1], out);
    else for (const [, member] of entries) strings(member, out);
  }
  return out;
}

/**
 * Asks a server for its method names; an empty list when it does not answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listMethods } from "./methods.ts";
 * import { clientCodec } from "../protocol/dialects.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const methods = await listMethods({ kind: "unix", path: "/nonexistent" }, {
 *   transport: createMemoryTransport(),
 *   codec: clientCodec("mi"),
 *   timeoutMs: 100,
 * });
 * assert.deepEqual(methods, []);
 * ```
 */
export async function listMethods(
  to: AnyAddress,
  options: {
    transport: Transport;
    codec: ClientCodec;
    flavour?: string;
    timeoutMs: number;
    /** FIFO: the server's reply directory (default /tmp). */
    replyDir?: string;
  },
): Promise<string[]> {
  try {
    const reply = await call(to, {
      method: listMethodsName(options.codec.dialect, options.flavour),
      params: NO_PARAMS,
    }, options);
    if (reply.outcome?.kind !== "result") return [];
    return strings(reply.outcome.value, []).filter((s) => s !== "");
  } catch {
    return [];
  }
}

/**
 * The method names of a server whose dialect may still be unknown: finds
 * it (and the address and flavour to use) as `send` does, then asks as
 * {@linkcode listMethods}. What the interactive prompt and shell completion
 * both offer; an empty list when the server does not answer in time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodsAt } from "./methods.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const methods = await methodsAt(
 *   { dialect: "auto", address: { kind: "unix", path: "/nonexistent" } },
 *   { transport: createMemoryTransport(), timeoutMs: 100 },
 * );
 * assert.deepEqual(methods, []);
 * ```
 */
export async function methodsAt(
  target: { dialect: DialectName | "auto"; flavour?: Flavour; address: AnyAddress },
  options: { transport: Transport; timeoutMs: number; replyDir?: string; indent?: string },
): Promise<string[]> {
  try {
    const { dialect: known, flavour, address } = mustDetect(target)
      ? withDetected(target, await detectDialect(target.address, options))
      : { ...target, dialect: target.dialect as DialectName };
    return await listMethods(address, {
      transport: options.transport,
      codec: clientCodec(known, {
        flavour,
        indent: options.indent,
      }),
      flavour,
      timeoutMs: options.timeoutMs,
      replyDir: options.replyDir,
    });
  } catch {
    return [];
  }
}
