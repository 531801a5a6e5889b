/**
 * The client in every dialect: one call over a fresh socket, sessions for
 * many calls over one socket, dialect detection and method listing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { call } from "./mod.ts";
 * import { clientCodec } from "../protocol/dialects.ts";
 * import { createServer } from "../server/server.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * const server = createServer({ transport, version: "demo" });
 * const address = await server.listen("udp:127.0.0.1:0", { dialect: "binrpc" });
 * const reply = await call(address, {
 *   method: "core.version",
 *   params: { kind: "positional", values: [] },
 * }, { transport, codec: clientCodec("binrpc") });
 * assert.deepEqual(reply.outcome, { kind: "result", value: ["demo"] });
 * await server.close();
 * ```
 *
 * @module
 */
export { type ClientReply, type RequestOptions, sendRequest } from "./request.ts";
export {
  call,
  type CallEvent,
  type CallOptions,
  type CallReply,
  type CallRequest,
  openSession,
  type Session,
} from "./call.ts";
export { classifyProbeReply, detectDialect, type Detected } from "./detect.ts";
export { listMethods, listMethodsName } from "./methods.ts";
