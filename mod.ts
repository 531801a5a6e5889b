/**
 * midgram: the MI datagram protocol of OpenSIPS and Kamailio, for Deno and
 * Node — request parser and writer, reply writer and reader, a datagram MI
 * server with the real servers' built-in commands, and a client.
 *
 * @example
 * ```ts
 * import { createServer, MiReplyError, node, sendRequest } from "./mod.ts";
 *
 * const server = createServer();
 * server.register("greet", (args) => {
 *   if (args.length !== 1) throw new MiReplyError(400, "Too few or too many arguments");
 *   return [node("Greeting", `hello ${args[0].value}`)];
 * }, { help: "greets someone: greet NAME" });
 * const address = await server.listen("udp:127.0.0.1:0");
 *
 * const { text } = await sendRequest(address, { command: "greet", args: [{ name: null, value: "world" }] });
 * console.log(text); // "200 OK\nGreeting:: hello world\n\n"
 * await server.close();
 * ```
 *
 * @module
 */
export * from "./lib/protocol/mod.ts";
export * from "./lib/server/mod.ts";
export * from "./lib/client/mod.ts";
export { formatAddress, parseAddress } from "./lib/transport/address.ts";
export { resolveAddress } from "./lib/transport/resolve_address.ts";
export { defaultTransport } from "./lib/transport/open.ts";
export { createMemoryTransport } from "./lib/transport/memory.ts";
export { createNodeTransport } from "./lib/transport/node.ts";
export { createDenoTransport } from "./lib/transport/deno.ts";
export type {
  Address,
  BindOptions,
  Datagram,
  DatagramSocket,
  SendOptions,
  Transport,
  UdpAddress,
  UnixAddress,
} from "./lib/transport/types.ts";
export {
  ERROR_DISPOSITIONS,
  type ErrorCode,
  errorCodeOf,
  exitCodeOf,
  MidgramError,
} from "./lib/errors.ts";
export { formatDuration, parseDuration } from "./lib/duration.ts";
export { VERSION } from "./lib/version.ts";
