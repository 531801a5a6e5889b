/**
 * midgram: the management interfaces of OpenSIPS and Kamailio, for Deno and
 * Node, in their four dialects — text MI (OpenSIPS ≤ 2.4), JSON-RPC
 * (OpenSIPS 3.x, Kamailio `jsonrpcs`), binrpc (Kamailio `ctl`, kamcmd's
 * conventions) and ctlfifo (`ctl`'s old FIFO protocol): pure codecs per dialect, a server that speaks any mix of them
 * on UNIX, UDP, TCP, FIFO and HTTP sockets with the real servers' built-in
 * commands, and a client.
 *
 * A handler is written once, against neutral values, and served in every
 * dialect:
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { call, createMemoryTransport, createServer, RpcError } from "./mod.ts";
 *
 * const transport = createMemoryTransport();
 * const server = createServer({ transport });
 * server.register("greet", (params) => {
 *   const [name] = params.kind === "positional" ? params.values : [params.values.get("name")];
 *   if (typeof name !== "string") throw new RpcError(400, "Give a name");
 *   return { greeting: `hello ${name}` };
 * }, { recipes: [["name"]] });
 * const mi = await server.listen("/run/demo-mi.sock");
 * const json = await server.listen("udp:127.0.0.1:0", { dialect: "jsonrpc" });
 * const bin = await server.listen("tcp:127.0.0.1:0", { dialect: "binrpc" });
 *
 * const params = { kind: "positional" as const, values: ["world"] };
 * const text = await call(mi, { method: "greet", params }, { transport });
 * assert.equal(new TextDecoder().decode(text.bytes), "200 OK\ngreeting:: hello world\n\n");
 * const rpc = await call(json, { method: "greet", params }, { transport, dialect: "jsonrpc" });
 * assert.deepEqual(rpc.outcome, { kind: "result", value: { greeting: "hello world" } });
 * const binrpc = await call(bin, { method: "greet", params }, { transport, dialect: "binrpc" });
 * assert.equal(binrpc.outcome?.kind, "result");
 * await server.close();
 * ```
 *
 * @module
 */
export * from "./lib/protocol/mod.ts";
export * from "./lib/server/mod.ts";
export { call, createServer, type RuntimeCallOptions, sendRequest } from "./lib/runtime.ts";
export {
  call as callWith,
  type CallEvent,
  type CallOptions,
  type CallReply,
  type CallRequest,
  openSession,
  type Session,
} from "./lib/client/call.ts";
export { type ClientReply, type RequestOptions } from "./lib/client/request.ts";
export { classifyProbeReply, detectDialect, type Detected } from "./lib/client/detect.ts";
export { listMethods, listMethodsName } from "./lib/client/methods.ts";
export { formatAddress, parseAddress } from "./lib/transport/address.ts";
export { resolveAddress } from "./lib/transport/resolve_address.ts";
export { defaultTransport } from "./lib/transport/open.ts";
export { createMemoryTransport } from "./lib/transport/memory.ts";
export { createNodeTransport } from "./lib/transport/node.ts";
export { createDenoTransport } from "./lib/transport/deno.ts";
export type {
  Address,
  AnyAddress,
  BindOptions,
  ConnectableOptions,
  Datagram,
  DatagramSocket,
  ExchangeOptions,
  FifoFraming,
  HttpCarriage,
  HttpStatus,
  ReceivedRequest,
  RequestAddress,
  RequestListener,
  RequestListenOptions,
  RespondOptions,
  SendOptions,
  StreamConnection,
  StreamListener,
  Transport,
  UdpAddress,
  UnixAddress,
} from "./lib/transport/types.ts";
export {
  ERROR_DISPOSITIONS,
  type ErrorCode,
  errorCodeOf,
  EXIT,
  EXIT_STATUSES,
  exitCodeOf,
  Interrupted,
  MidgramError,
} from "./lib/errors.ts";
export { parseSocketSpec, type SocketSpec } from "./lib/socket_spec.ts";
export { formatDuration, parseDuration } from "./lib/duration.ts";
export { VERSION } from "./lib/version.ts";
