/**
 * The datagram MI server: a command registry, the real servers' built-in
 * commands, statistics, and the wire behaviour of OpenSIPS / Kamailio.
 *
 * @example
 * ```ts
 * import { createServer } from "./mod.ts";
 * const server = createServer();
 * server.register("hello", () => ({ code: 200, reason: "OK", nodes: [], bare: false }));
 * const address = await server.listen("udp:127.0.0.1:0");
 * await server.close();
 * ```
 *
 * @module
 */
export {
  type CommandOptions,
  createServer,
  type HandlerContext,
  type HostInfo,
  type Logger,
  type LogLevel,
  type MiHandler,
  type MiServer,
  type ServerOptions,
} from "./server.ts";
export { BAD_PARAMETER, MiReplyError, TOO_FEW_OR_TOO_MANY } from "./mi_reply_error.ts";
export { BUILTIN_COMMANDS } from "./builtins/mod.ts";
