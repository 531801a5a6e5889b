/**
 * The OpenSIPS 3.x built-in commands, for sockets of the `opensips` flavour.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandRegistry } from "../../registry.ts";
 * import { CacheStore } from "../cache_store.ts";
 * import { registerOpenSipsBuiltins } from "./mod.ts";
 *
 * const registry = new CommandRegistry();
 * registerOpenSipsBuiltins(registry, {
 *   host: { pid: 42, cwd: () => "/", argv: ["midgram"], runtime: "node 20", now: () => new Date() },
 *   startedAt: new Date(),
 *   version: "midgram 0.2.0 (node 20.20.2)",
 *   stats: () => ({}),
 *   resetStats: () => [],
 *   cache: new CacheStore(() => Date.now()),
 * });
 * assert.ok(registry.names().includes("get_statistics"));
 * ```
 *
 * @module
 */
export {
  OPENSIPS_BUILTINS,
  type OpenSipsBuiltinOptions,
  registerOpenSipsBuiltins,
} from "./register.ts";
