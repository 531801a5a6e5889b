import { createDenoTransport } from "./deno.ts";
import { createNodeTransport } from "./node.ts";
import type { Transport } from "./types.ts";

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
