import { MidgramError } from "../errors.ts";
import { createMiClientCodec } from "../protocol/mi/codec.ts";
import { formatRequest } from "../protocol/mi/format_request.ts";
import { parseReply } from "../protocol/mi/parse_reply.ts";
import type { MiArgument, MiReply } from "../protocol/mi/types.ts";
import { formatAddress } from "../transport/address.ts";
import type { AnyAddress, Transport } from "../transport/types.ts";
import { call } from "./call.ts";

/** Options of {@linkcode sendRequest}. */
export interface RequestOptions {
  /** The runtime's sockets (`defaultTransport()` or an in-memory transport). */
  transport: Transport;
  /** How long to wait for the reply, per attempt; default 5000 ms. */
  timeoutMs?: number;
  /** UDP only: extra attempts after a timeout; default 0. */
  retries?: number;
  /** Gives up with a `closed` error when aborted. */
  signal?: AbortSignal;
  /** The server's reply indent string, to read the tree; default TAB. */
  indent?: string;
  /** Send requests over the size limit too (the fuzzer tests how servers take them). */
  allowOversize?: boolean;
}

/** A reply as received. */
export interface ClientReply {
  /** The reply's bytes, exactly as they came. */
  bytes: Uint8Array;
  /** The bytes decoded as UTF-8. */
  text: string;
  /** The reply tree, when it could be read. */
  reply: MiReply | null;
  /** Why the reply could not be read: `truncated-reply` or `reply-syntax`. */
  error: MidgramError | null;
  /** Round-trip time in milliseconds. */
  rttMs: number;
  /** Where the reply came from (`null`: an unnamed UNIX socket, as the real servers reply). */
  from: AnyAddress | null;
}

/**
 * Sends one text MI request and waits for its reply, as {@linkcode call}
 * does, giving the reply tree of the 2.4 layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendRequest } from "./request.ts";
 * import { createServer } from "../server/server.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * const server = createServer({ transport });
 * const address = await server.listen("/run/opensips/mi.sock");
 * const { reply } = await sendRequest(
 *   address,
 *   { command: "get_statistics", args: [{ name: null, value: "mi:requests" }] },
 *   { transport, timeoutMs: 2000 },
 * );
 * assert.equal(reply?.nodes[0].name, "mi:requests");
 * await server.close();
 * ```
 *
 * @throws {MidgramError} `timeout` when no reply comes in time; the transport's codes
 *   (`not-found`, `permission-denied`, `connection-refused`, …) when it cannot send;
 *   `request-too-large`, `unrepresentable`; `closed` when aborted.
 */
export async function sendRequest(
  to: AnyAddress,
  request: Uint8Array | { command: string; args: MiArgument[] },
  options: RequestOptions,
): Promise<ClientReply> {
  const bytes = request instanceof Uint8Array
    ? request
    : new TextEncoder().encode(formatRequest(request.command, request.args));
  const codec = createMiClientCodec({ indent: options.indent, attributes: false });
  const result = await call(to, bytes, { ...options, codec });
  const text = new TextDecoder().decode(result.bytes);
  let reply: MiReply | null = null;
  let error = result.error;
  if (error === null || error.code === "truncated-reply") {
    try {
      reply = parseReply(result.bytes, { indent: options.indent });
    } catch {
      // The codec said why already.
    }
  }
  if (reply === null && error === null) {
    error = new MidgramError("reply-syntax", `Reply from "${formatAddress(to)}" cannot be read`);
  }
  return { bytes: result.bytes, text, reply, error, rttMs: result.rttMs, from: result.from };
}
