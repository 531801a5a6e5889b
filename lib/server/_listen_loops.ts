/**
 * The server's receive loops, one per kind of transport, each reaching its
 * transport only through the transport seam: datagrams (answered to their
 * sender), stream connections (packets framed by the dialect, answered on
 * the connection), and request listeners (FIFOs and HTTP, answered the
 * way each request came). They share one pipeline, given by the host.
 *
 * @module
 */
import { errorCodeOf } from "../errors.ts";
import { formatAddress } from "../transport/address.ts";
import type { ConnectionGate, RefusalCause } from "../transport/connection_gate.ts";
import { FrameReader } from "../transport/read_frames.ts";
import type {
  Address,
  AnyAddress,
  DatagramSocket,
  ReceivedRequest,
  RequestListener,
  StreamConnection,
  StreamListener,
} from "../transport/types.ts";
import type { Binding } from "./_binding.ts";
import { isThenable } from "./_handler_pool.ts";
import type { Pipeline } from "./_pipeline.ts";
import type { RateLimitedLog } from "./_rate_limited_log.ts";
import type { Logger } from "./types.ts";

/** What the loops need of their server. */
export interface LoopHost {
  /** Set once the server closes: the loops end. */
  readonly closed: boolean;
  /** Aborted when the server stops receiving. */
  readonly receiving: AbortController;
  /** Time limit for sending one reply. */
  readonly replyTimeoutMs: number;
  /** A connection on which nothing arrives for this long is closed. */
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
  /** Per-request warnings, rate-limited. */
  readonly warnings: RateLimitedLog;
  /** The open stream connections, for `ctl.connections`-like listings and close(). */
  readonly connections: Map<StreamConnection, { dialect: string; local: AnyAddress }>;
  /** The packet readers of the open stream connections, for the bytes they hold. */
  readonly frameReaders: Set<FrameReader>;
  count(name: string, by?: number): void;
  /** decode → dispatch → encode; never throws. */
  readonly pipeline: Pick<Pipeline, "process">;
  runAfterReply(after: (() => void)[]): void;
  /** Keeps a running request (or connection) until it ends, so that close() waits for it. */
  track(task: Promise<void>): void;
  /** Whether the allow-list lets a peer in. */
  admits(peer: AnyAddress | null): boolean;
  /** Counts and logs a datagram or connection refused at once. */
  refused(binding: Binding, cause: RefusalCause, peer: AnyAddress | null): void;
  /** The allow-list and connection cap of one stream or HTTP listener. */
  gate(binding: Binding): ConnectionGate;
}

/** Accepts stream connections until the server closes. */
export async function acceptLoop(
  host: LoopHost,
  listener: StreamListener,
  binding: Binding,
): Promise<void> {
  const gate = host.gate(binding);
  while (!host.closed) {
    let connection: StreamConnection;
    try {
      connection = await listener.accept(host.receiving.signal);
    } catch (error) {
      if (host.closed || errorCodeOf(error) === "closed") return;
      host.count(binding.keys.receive_errors);
      continue;
    }
    // Outside --allow, or one too many: closed before a byte is read.
    if (!gate.enter(connection.peer)) {
      host.track(connection.close().catch(() => {}));
      continue;
    }
    host.connections.set(connection, {
      dialect: binding.codec.dialect,
      local: listener.address,
    });
    host.track(
      serveConnection(host, connection, binding).finally(() => {
        gate.leave();
        host.connections.delete(connection);
        return connection.close();
      }),
    );
  }
}

/**
 * Serves one stream connection: packets in the order they come (two in
 * one write get two replies), each reply written before the next packet
 * is read. Like Kamailio's ctl, a packet that cannot be read is answered
 * and the connection closed.
 */
async function serveConnection(
  host: LoopHost,
  connection: StreamConnection,
  binding: Binding,
): Promise<void> {
  const frame = binding.codec.frame!.bind(binding.codec);
  const name = formatAddress(connection.peer ?? { kind: "unix", path: "(peer)" });
  const reader = new FrameReader(connection, frame, { name, idleTimeoutMs: host.idleTimeoutMs });
  host.frameReaders.add(reader);
  let writing = false;
  try {
    let packet;
    while ((packet = await reader.next(host.receiving.signal)) !== null) {
      const after: (() => void)[] = [];
      const processed = host.pipeline.process(binding, packet, null, after);
      const { reply, refusal } = isThenable(processed) ? await processed : processed;
      try {
        writing = true;
        if (reply !== null) await connection.write(reply, { timeoutMs: host.replyTimeoutMs });
      } finally {
        writing = false;
        host.runAfterReply(after);
      }
      if (refusal === "parse-error" || refusal === "invalid-request") return;
    }
  } catch (error) {
    // A header that can never start a packet: the codec's fault, then close.
    const reply = (error as { reply?: Uint8Array | null }).reply;
    if (reply instanceof Uint8Array) {
      host.count(binding.keys.parse_errors);
      await connection.write(reply, { timeoutMs: host.replyTimeoutMs }).catch(() => {});
    } else if (!writing && errorCodeOf(error) === "timeout") {
      // A peer that stalls (nothing sent, half a request, or idle between two).
      host.count(binding.keys.idle_timeouts);
      host.warnings.log("info", "idle", "connection closed: nothing received in time", {
        from: name,
        ms: host.idleTimeoutMs,
      });
    } else if (!host.closed) {
      host.count(binding.keys.receive_errors);
      host.logger.log("debug", "stream closed", { error: String(error) });
    }
  } finally {
    host.frameReaders.delete(reader);
  }
}

/**
 * Serves the requests of a FIFO or HTTP listener until the server closes:
 * each is processed as it comes, and answered the way it came. Nothing a
 * peer sends ends the loop.
 */
export async function requestLoop(
  host: LoopHost,
  listener: RequestListener,
  binding: Binding,
): Promise<void> {
  while (!host.closed) {
    let request: ReceivedRequest;
    try {
      request = await listener.next(host.receiving.signal);
    } catch (error) {
      if (host.closed || errorCodeOf(error) === "closed") return;
      host.count(binding.keys.receive_errors);
      continue;
    }
    host.track(answerRequest(host, binding, request));
  }
}

async function answerRequest(
  host: LoopHost,
  binding: Binding,
  request: ReceivedRequest,
): Promise<void> {
  const after: (() => void)[] = [];
  const { reply, fault } = await host.pipeline.process(binding, request.data, null, after);
  try {
    // As in jsonrpcs, a Kamailio request whose reply name is refused has
    // run its command; the OpenSIPS reader drops such a request unrun, as mi_fifo.
    if (reply !== null && request.unanswerable !== null) {
      host.count(binding.keys.no_reply_address);
      host.logger.log("warn", "reply FIFO name refused", {
        to: request.replyTo,
        reason: request.unanswerable,
      });
      return;
    }
    await request.respond(reply, { timeoutMs: host.replyTimeoutMs, fault });
  } catch (error) {
    host.count(binding.keys.send_errors);
    host.warnings.log("info", "not-delivered", "reply not delivered (client gone?)", {
      to: request.replyTo ?? (request.from ? formatAddress(request.from) : undefined),
      error: error instanceof Error ? error.message : String(error),
    });
  } finally {
    host.runAfterReply(after);
  }
}

export async function serveDatagrams(
  host: LoopHost,
  socket: DatagramSocket,
  binding: Binding,
): Promise<void> {
  const keys = binding.keys;
  while (!host.closed) {
    let datagram;
    try {
      datagram = await socket.receive(host.receiving.signal);
    } catch (error) {
      if (host.closed || errorCodeOf(error) === "closed") return;
      host.count(keys.receive_errors);
      host.warnings.log("warn", "receive-failed", "receive failed", {
        address: formatAddress(socket.address),
        error: String(error),
      });
      continue;
    }
    const { data, from } = datagram;
    if (!host.admits(from)) {
      host.refused(binding, "denied", from);
      continue;
    }
    const replying = answer(host, socket, binding, data, from);
    if (replying !== undefined) host.track(replying);
  }
}

/**
 * Answers one datagram. Synchronous, with no promise at all, when the
 * handler answers at once and the socket takes the reply at once (most
 * requests): a promise only for what has to wait.
 */
function answer(
  host: LoopHost,
  socket: DatagramSocket,
  binding: Binding,
  data: Uint8Array,
  from: Address | null,
): Promise<void> | undefined {
  const after: (() => void)[] = [];
  const processed = host.pipeline.process(binding, data, from, after);
  if (isThenable(processed)) {
    return processed.then(({ reply }) => sendReply(host, socket, binding, reply, from, after));
  }
  return sendReply(host, socket, binding, processed.reply, from, after);
}

/** Sends a datagram's reply, then runs the request's after-reply actions. Never throws. */
function sendReply(
  host: LoopHost,
  socket: DatagramSocket,
  binding: Binding,
  reply: Uint8Array | null,
  from: Address | null,
  after: (() => void)[],
): Promise<void> | undefined {
  if (reply !== null && from === null) {
    host.count(binding.keys.no_reply_address);
    host.warnings.log(
      "warn",
      "no-reply-address",
      "cannot reply: the client socket has no address (bind it to a path)",
    );
  }
  if (reply === null || from === null || trySend(host, socket, reply, from)) {
    host.runAfterReply(after);
    return undefined;
  }
  return socket.send(reply, from, { timeoutMs: host.replyTimeoutMs }).then(
    () => host.runAfterReply(after),
    (error) => {
      host.count(binding.keys.send_errors);
      host.warnings.log("info", "not-delivered", "reply not delivered (client gone?)", {
        to: formatAddress(from),
        error: error instanceof Error ? error.message : String(error),
      });
      host.runAfterReply(after);
    },
  );
}

/**
 * The socket's fast path, where it has one. A transport injected by an
 * embedder may break the promise never to throw: that is logged, and the
 * ordinary send() is tried.
 */
function trySend(host: LoopHost, socket: DatagramSocket, reply: Uint8Array, to: Address): boolean {
  if (!socket.trySend) return false;
  try {
    return socket.trySend(reply, to);
  } catch (error) {
    host.warnings.log("error", "internal", "internal error", { error: String(error) });
    return false;
  }
}
