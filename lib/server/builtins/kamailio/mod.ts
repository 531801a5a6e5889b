/**
 * The Kamailio 5.6 built-in methods, for sockets of the `kamailio` flavour
 * (binrpc and jsonrpcs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandRegistry } from "../../registry.ts";
 * import { CacheStore } from "../cache_store.ts";
 * import { registerKamailioBuiltins } from "./mod.ts";
 *
 * const registry = new CommandRegistry();
 * registerKamailioBuiltins(registry, {
 *   host: { pid: 42, cwd: () => "/", argv: ["midgram"], runtime: "node 20", now: () => new Date() },
 *   startedAt: new Date(),
 *   version: "midgram 0.2.0 (node 20.20.2)",
 *   stats: () => ({}),
 *   resetStats: () => [],
 *   cache: new CacheStore(() => Date.now()),
 * });
 * assert.ok(registry.names().includes("stats.fetch"));
 * ```
 *
 * @module
 */
export {
  KAMAILIO_BUILTINS,
  type KamailioBuiltinOptions,
  registerKamailioBuiltins,
} from "./register.ts";
