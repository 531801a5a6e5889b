/**
 * Where the rest of midgram gets a transport: the runtime's own, or an
 * in-memory network for what stays inside one process (the golden cases,
 * tests, the snapshot's warm-up). The adapters behind them are nobody
 * else's business.
 *
 * @module
 */
import { createDenoTransport } from "./deno.ts";
import { createNodeTransport } from "./node.ts";
import type { Transport } from "./types.ts";

export { createMemoryTransport } from "./memory.ts";
/** For the single executable: hands the UNIX datagram transport its embedded addon. */
export { provideUnixDgramBinding, type UnixDgramBinding } from "./_unix_dgram_binding.ts";

/**
 * The transport of the runtime this runs on: the Deno adapter on Deno, the
 * Node adapter on Node. Neither touches the runtime until a socket is opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultTransport } from "./open.ts";
 * const transport = defaultTransport();
 * assert.equal(transport.name, "Deno" in globalThis ? "deno" : "node");
 * ```
 */
export function defaultTransport(): Transport {
  return "Deno" in globalThis ? createDenoTransport() : createNodeTransport();
}
