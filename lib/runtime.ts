/**
 * The library's entry points with the runtime's transport filled in: the
 * only place besides the CLI entry that picks a transport, so that
 * `lib/server` and `lib/client` never do.
 *
 * @module
 */
import {
  call as callWith,
  type CallOptions,
  type CallReply,
  type CallRequest,
} from "./client/call.ts";
import { type ClientReply, type RequestOptions, sendRequest as sendMi } from "./client/request.ts";
import type { DialectName } from "./protocol/dialect.ts";
import { clientCodec } from "./protocol/dialects.ts";
import type { MiArgument } from "./protocol/mi/types.ts";
import {
  createServer as createServerWith,
  type MiServer,
  type ServerOptions,
} from "./server/server.ts";
import { defaultTransport } from "./transport/open.ts";
import type { AnyAddress } from "./transport/types.ts";

/**
 * Creates a management server on the runtime's sockets (give `transport` to
 * use another, e.g. `createMemoryTransport()` in tests).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMemoryTransport, createServer } from "../mod.ts";
 * const server = createServer({ transport: createMemoryTransport() });
 * server.register("hello", (params) => `hello ${params.kind === "positional" ? params.values[0] : "?"}`);
 * const reply = await server.handle(new TextEncoder().encode(":hello:\nworld\n"));
 * assert.equal(new TextDecoder().decode(reply!), "200 OK\nhello world\n\n");
 * await server.close();
 * ```
 */
export function createServer(options: Partial<ServerOptions> = {}): MiServer {
  return createServerWith({ transport: defaultTransport(), ...options });
}

/** Options of {@linkcode call}: those of the core `call`, with defaults. */
export interface RuntimeCallOptions extends Partial<Omit<CallOptions, "codec">> {
  /** The dialect spoken; default `mi`. */
  dialect?: DialectName;
  /** JSON-RPC: `opensips` or `kamailio`. */
  flavour?: "opensips" | "kamailio";
  /** Text MI: the server's reply indent; default TAB. */
  indent?: string;
}

/**
 * Calls a method on a server in any dialect over the runtime's sockets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { call, createMemoryTransport, createServer } from "../mod.ts";
 * const transport = createMemoryTransport();
 * const server = createServer({ transport });
 * const address = await server.listen("udp:127.0.0.1:0", { dialect: "jsonrpc" });
 * const reply = await call(address, { method: "version", params: { kind: "positional", values: [] } }, {
 *   transport,
 *   dialect: "jsonrpc",
 * });
 * assert.equal(reply.outcome?.kind, "result");
 * await server.close();
 * ```
 */
export function call(
  to: AnyAddress,
  request: CallRequest,
  options: RuntimeCallOptions = {},
): Promise<CallReply> {
  const { dialect = "mi", flavour, indent, ...rest } = options;
  return callWith(to, request, {
    transport: defaultTransport(),
    ...rest,
    flavour,
    codec: clientCodec(dialect, { flavour, indent }),
  });
}

/**
 * Sends one text MI request over the runtime's sockets and gives the reply
 * tree (the 2.4 layout).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMemoryTransport, createServer, sendRequest } from "../mod.ts";
 * const transport = createMemoryTransport();
 * const server = createServer({ transport, version: "demo" });
 * const address = await server.listen("/run/demo.sock");
 * const { reply } = await sendRequest(address, { command: "version", args: [] }, { transport });
 * assert.equal(reply?.nodes[0].value, "demo");
 * await server.close();
 * ```
 */
export function sendRequest(
  to: AnyAddress,
  request: Uint8Array | { command: string; args: MiArgument[] },
  options: Partial<RequestOptions> = {},
): Promise<ClientReply> {
  return sendMi(to, request, { transport: defaultTransport(), ...options });
}
