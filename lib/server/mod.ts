/**
 * The management server: a command registry, the real servers' built-in
 * commands in each one's layout, statistics, and every dialect's wire
 * behaviour, on sockets handed to it by a transport.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createServerWith } from "./mod.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const server = createServerWith({ transport: createMemoryTransport(), version: "demo" });
 * const reply = await server.handle(new TextEncoder().encode(":version:\n"));
 * assert.equal(new TextDecoder().decode(reply!), "200 OK\nServer:: demo\n\n");
 * await server.close();
 * ```
 *
 * @module
 */
export {
  type BuiltinFlavour,
  type CloseOptions,
  type CommandOptions,
  createServer as createServerWith,
  type HandleOptions,
  type Handler,
  type HandlerContext,
  type HandlerResult,
  type HostInfo,
  type ListenOptions,
  type Logger,
  type LogLevel,
  type MiHandler,
  type MiServer,
  type Retained,
  type ServerOptions,
} from "./server.ts";
export { BAD_PARAMETER, MiReplyError, TOO_FEW_OR_TOO_MANY } from "./mi_reply_error.ts";
export { BUILTIN_COMMANDS, BUILTIN_NAMES } from "./builtins/mod.ts";
export { RpcError } from "./rpc_error.ts";
export { type CacheLimits, CacheStore } from "./builtins/cache_store.ts";
