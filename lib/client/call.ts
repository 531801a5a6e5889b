import { BoundedChunks } from "../bytes.ts";
import { errorCodeOf, MidgramError } from "../errors.ts";
import type { ClientCodec, ReplyOutcome } from "../protocol/dialect.ts";
import type { Params } from "../protocol/value.ts";
import { formatAddress, sameAddress } from "../transport/address.ts";
import { FrameReader, MAX_FRAME } from "../transport/read_frames.ts";
import { configuredFifoReplyDir, fifoFlavour } from "./detect.ts";
import { limit } from "./_limit.ts";
import type {
  Address,
  AnyAddress,
  DatagramSocket,
  RequestAddress,
  StreamAddress,
  StreamConnection,
  Transport,
} from "../transport/types.ts";

/** Options of {@linkcode call}. */
export interface CallOptions {
  /** The runtime's sockets (`defaultTransport()` or an in-memory transport). */
  transport: Transport;
  /** The dialect spoken (`clientCodec("jsonrpc")`, …). */
  codec: ClientCodec;
  /** How long to wait for the reply, per attempt; default 5000 ms. */
  timeoutMs?: number;
  /** UDP only: extra attempts after a timeout; default 0. */
  retries?: number;
  /** Gives up with a `closed` error when aborted. */
  signal?: AbortSignal;
  /** Send requests over the size limit too (the fuzzer tests how servers take them). */
  allowOversize?: boolean;
  /** FIFO: whose framing (`opensips` `:name:` lines, `kamailio` `reply_name`); default opensips. */
  flavour?: string;
  /**
   * FIFO: the server's reply directory, where the reply FIFO is made; default
   * the one the reading server's config file sets (`configuredFifoReplyDir`), else `/tmp`.
   */
  replyDir?: string;
  /**
   * UNIX datagram: the path to bind the client socket at (kamcmd's `-R`),
   * instead of a unique path in a private directory; removed on close.
   */
  replySocket?: string;
  /**
   * A session's one connection or socket, as kamcmd keeps it: opened once
   * and never replaced, after a timeout or a failure alike (a later call
   * uses it as it is). Default: replaced, so that a late reply is never
   * taken for the next request's.
   */
  connectOnce?: boolean;
  /**
   * The first reply is the answer, as kamcmd takes it. One carrying another
   * request's id or cookie comes back marked {@linkcode CallReply.foreign}
   * instead of being skipped, and what a stream brings that no reply can
   * be framed from (a header not of the dialect, a packet over the limit)
   * comes back as the bytes read, with its `error`, instead of being thrown.
   */
  firstReply?: boolean;
  /** Told of each step of an exchange as it completes (`kamcmd -vvv` shows the reads). */
  trace?: (event: CallEvent) => void;
}

/**
 * A step of an exchange: the request sent whole, or one piece of the reply
 * as the socket gave it (a datagram from the server, one read of a stream).
 */
export type CallEvent =
  | { kind: "sent"; bytes: Uint8Array }
  | { kind: "read"; chunk: Uint8Array };

/** A request: a method and its parameters, or bytes sent as they are. */
export type CallRequest = { method: string; params: Params } | Uint8Array;

/** A reply as received. */
export interface CallReply {
  /** The reply's bytes, exactly as they came. */
  bytes: Uint8Array;
  /** What the reply says, when it could be read. */
  outcome: Exclude<ReplyOutcome, { kind: "foreign" }> | null;
  /** Why the reply could not be read: `truncated-reply` or `reply-syntax`. */
  error: MidgramError | null;
  /** Round-trip time in milliseconds. */
  rttMs: number;
  /** Where the reply came from (`null`: an unnamed UNIX socket, as the real servers reply). */
  from: AnyAddress | null;
  /**
   * With {@linkcode CallOptions.firstReply} only: the reply carries another
   * request's id or cookie (`outcome` is then `null`).
   */
  foreign?: boolean;
}

/**
 * A reply that cannot be read, named: its own code when it is one of a
 * reply's (`reply-syntax`, `truncated-reply`, `reply-too-large`), else
 * `reply-syntax`.
 */
function unreadable(error: unknown, name: string): MidgramError {
  const code = errorCodeOf(error);
  return new MidgramError(
    code === "truncated-reply" || code === "reply-too-large" ? code : "reply-syntax",
    `Reply from "${name}": ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

/** Reads a reply with the codec: an outcome, `foreign`, or the reason it cannot be read. */
function readReply(
  codec: ClientCodec,
  bytes: Uint8Array,
  token: unknown,
  name: string,
): { outcome: ReplyOutcome | null; error: MidgramError | null } {
  try {
    return { outcome: codec.decodeReply(bytes, token), error: null };
  } catch (e) {
    const error = e instanceof MidgramError
      ? new MidgramError(e.code, `Reply from "${name}": ${e.message}`)
      : new MidgramError("reply-syntax", `Reply from "${name}" cannot be read`);
    return { outcome: null, error };
  }
}

/**
 * The reply that `bytes` make, or `null` for a reply to another request
 * (skipped; with `firstReply`, returned marked `foreign`).
 */
function replyOf(
  bytes: Uint8Array,
  token: unknown,
  options: ChannelOptions,
  from: AnyAddress | null,
  started: number,
): CallReply | null {
  const { outcome, error } = readReply(options.codec, bytes, token, options.name);
  const rttMs = performance.now() - started;
  if (outcome?.kind !== "foreign") return { bytes, outcome, error, rttMs, from };
  return options.firstReply
    ? { bytes, outcome: null, error: null, rttMs, from, foreign: true }
    : null;
}

/** The error of an exchange that got no reply within its time limit. */
function noReply(options: ChannelOptions, tries = ""): MidgramError {
  return new MidgramError(
    "timeout",
    `No reply from "${options.name}" within ${options.timeoutMs} ms${tries}: is the server running and is the address right?`,
  );
}

/**
 * Sends one request in any dialect and waits for its reply. Every request
 * uses a fresh client socket (closed on every path), so a late reply to an
 * earlier request is never taken for the answer to this one; over UDP,
 * datagrams from any other address than the server's are ignored, and a
 * reply carrying another request's id or cookie is never the answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { call } from "./call.ts";
 * import { clientCodec } from "../protocol/dialects.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * // Nothing listens at this address on the in-memory network.
 * await assert.rejects(
 *   call({ kind: "udp", host: "127.0.0.1", port: 8080 }, {
 *     method: "version",
 *     params: { kind: "positional", values: [] },
 *   }, { transport, codec: clientCodec("mi"), timeoutMs: 50 }),
 *   { code: "connection-refused" },
 * );
 * ```
 *
 * @throws {MidgramError} `timeout` when no reply comes in time; the transport's codes
 *   (`not-found`, `permission-denied`, `connection-refused`, …) when it cannot send;
 *   `request-too-large`, `unrepresentable`; `closed` when aborted.
 */
export async function call(
  to: AnyAddress,
  request: CallRequest,
  options: CallOptions,
): Promise<CallReply> {
  const session = openSession(to, options);
  try {
    return await session.call(request);
  } finally {
    await session.close();
  }
}

/** Several requests to one server over one client socket or connection. */
export interface Session {
  /**
   * Opens the connection or socket now rather than at the first call, so
   * that failing to reach the server is told apart from a failed request
   * (kamcmd connects before anything else). Optional; does nothing once open.
   *
   * @throws {MidgramError} as {@linkcode call} does when it cannot connect or bind.
   */
  open(): Promise<void>;
  /** Sends one request and waits for its reply, as {@linkcode call} does. */
  call(request: CallRequest): Promise<CallReply>;
  /** Closes the socket or connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens a session: requests go one after another over one client socket
 * (datagrams) or one connection (streams), as `send --batch` needs, matched
 * to their replies by id or cookie. After a timeout the socket is replaced,
 * so a late reply is never taken for the next request's (the text dialect
 * has no id to tell them apart); {@linkcode CallOptions.connectOnce} and
 * {@linkcode CallOptions.firstReply} make it kamcmd's session instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSession } from "./call.ts";
 * import { clientCodec } from "../protocol/dialects.ts";
 * import { createServer } from "../server/server.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * const server = createServer({ transport, version: "demo" });
 * const address = await server.listen({ kind: "unix", path: "/run/x.sock" });
 * const session = openSession(address, { transport, codec: clientCodec("mi") });
 * const version = { method: "version", params: { kind: "positional", values: [] } } as const;
 * for (let i = 0; i < 2; i++) {
 *   const reply = await session.call(version);
 *   assert.equal(new TextDecoder().decode(reply.bytes), "200 OK\nServer:: demo\n\n");
 * }
 * await session.close();
 * await server.close();
 * ```
 */
export function openSession(to: AnyAddress, options: CallOptions): Session {
  const { codec } = options;
  const settled = { ...options, timeoutMs: options.timeoutMs ?? 5000, name: formatAddress(to) };
  const { name } = settled;
  const channel = openChannel(to, settled);
  const exchange = (request: CallRequest): Promise<CallReply> => {
    // A request file keeps its own id or cookie: its reply is matched by it.
    const token = request instanceof Uint8Array ? codec.tokenOf?.(request) : codec.newToken();
    const bytes = request instanceof Uint8Array
      ? request
      : codec.encodeRequest(request.method, request.params, token);
    if (bytes.length > codec.maxRequest && !options.allowOversize) {
      throw new MidgramError(
        "request-too-large",
        `Cannot send a request of ${bytes.length} bytes: the limit is ${codec.maxRequest}`,
      );
    }
    return channel.exchange(bytes, token);
  };
  // Every step (datagram, stream, FIFO, HTTP) ends the same way when the
  // caller aborts: a `closed` error, whatever the transport rejected with (a
  // FIFO or HTTP wait rejects with the signal's reason).
  const abortable = async <T>(step: () => Promise<T>): Promise<T> => {
    if (options.signal?.aborted) throw aborted(name, options.signal);
    try {
      return await step();
    } catch (error) {
      if (options.signal?.aborted) throw aborted(name, options.signal, error);
      throw error;
    }
  };
  return {
    open: () => abortable(() => channel.open()),
    call: (request) => abortable(() => exchange(request)),
    close: () => channel.close(),
  };
}

/** Options of a channel: the call's, with the time limit and the address's name settled. */
type ChannelOptions = CallOptions & { timeoutMs: number; name: string };

/**
 * A session's one view of its transport: request bytes out, the reply
 * back, within the time limit and the caller's signal. One kind per kind of
 * transport; each keeps what it may reuse between requests.
 */
interface Channel {
  /** Opens what the channel keeps between requests, if it keeps anything. */
  open(): Promise<void>;
  /** Sends a request and waits for the reply carrying `token` (or any reply, for none). */
  exchange(bytes: Uint8Array, token: unknown): Promise<CallReply>;
  /** Closes what the channel holds open. Idempotent. */
  close(): Promise<void>;
}

function openChannel(to: AnyAddress, options: ChannelOptions): Channel {
  switch (to.kind) {
    case "unix-stream":
    case "tcp":
      return streamChannel(to, options);
    case "fifo":
    case "http":
      return {
        open: () => Promise.resolve(),
        exchange: (bytes, token) => exchangeOnce(to, bytes, token, options),
        close: () => Promise.resolve(),
      };
    default:
      return datagramChannel(to, options);
  }
}

/**
 * Streams: one connection for the session, dropped after any failure
 * (kept, with `connectOnce`).
 */
function streamChannel(to: StreamAddress, options: ChannelOptions): Channel {
  const { codec } = options;
  let stream: StreamState | null = null;
  const close = async () => {
    const open = stream;
    stream = null;
    await open?.connection.close();
  };
  const open = async (): Promise<StreamState> => stream ??= await openStream(to, options);
  return {
    // Replies with no end on a stream (ctl's FIFO protocol) take a connection each.
    async open() {
      if (!codec.replyEndsAtClose) await open();
    },
    async exchange(bytes, token) {
      if (codec.replyEndsAtClose) return await exchangeClosing(to, bytes, token, options);
      try {
        return await exchangeStream(await open(), bytes, token, options);
      } catch (error) {
        if (!options.connectOnce) await close();
        throw error;
      }
    },
    close,
  };
}

/**
 * Datagrams: one client socket, replaced after a timeout (unless
 * `connectOnce`) so that a late reply is never taken for the next
 * request's (the text dialect has no id to tell them apart); over UDP,
 * `retries` more attempts after a timeout.
 */
function datagramChannel(to: Address, options: ChannelOptions): Channel {
  const { name, transport } = options;
  let socket: DatagramSocket | null = null;
  let target: Address | null = null;
  const close = async () => {
    const open = socket;
    socket = null;
    await open?.close();
  };
  const open = async (): Promise<{ socket: DatagramSocket; target: Address }> => {
    target ??= await transport.resolve(to);
    socket ??= await transport.connectable(target, { path: options.replySocket });
    return { socket, target };
  };
  return {
    async open() {
      await open();
    },
    async exchange(bytes, token) {
      const attempts = 1 + (to.kind === "udp" ? Math.max(0, options.retries ?? 0) : 0);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (options.signal?.aborted) throw aborted(name, options.signal);
        const { socket, target } = await open();
        let reply: CallReply | null;
        try {
          reply = await exchangeDatagram(socket, target, bytes, token, options);
        } catch (error) {
          if (!options.connectOnce) await close();
          throw error;
        }
        if (reply !== null) return reply;
        // A late reply must never be taken for the next request's: a new socket.
        if (!options.connectOnce) await close();
      }
      throw noReply(options, attempts > 1 ? ` (${attempts} attempts)` : "");
    },
    close,
  };
}

/** The error of a request its caller aborted (a signal: the reason is its number). */
function aborted(name: string, signal: AbortSignal, cause?: unknown): MidgramError {
  return new MidgramError("closed", `Request to "${name}" aborted`, {
    cause: cause ?? signal.reason,
  });
}

/** FIFO and HTTP: one request, one reply, nothing kept between them. */
async function exchangeOnce(
  to: RequestAddress,
  bytes: Uint8Array,
  token: unknown,
  options: ChannelOptions,
): Promise<CallReply> {
  const { codec, name, timeoutMs } = options;
  const fifo = to.kind === "fifo" ? codec.fifo?.(options.flavour) : undefined;
  if (to.kind === "fifo" ? !fifo : !codec.http) {
    throw new MidgramError(
      "usage",
      to.kind === "fifo"
        ? `Cannot send to "${name}": FIFOs carry JSON-RPC and ctlfifo only (use --dialect jsonrpc)`
        : `Cannot send to "${name}": HTTP carries JSON-RPC only (use --dialect jsonrpc)`,
    );
  }
  // The given reply directory, else the one the FIFO's server configures, else /tmp.
  const replyDir = to.kind === "fifo"
    ? options.replyDir ?? configuredFifoReplyDir(to.path) ?? "/tmp"
    : "";
  const started = performance.now();
  const reply = await options.transport.exchange(to, bytes, {
    timeoutMs,
    signal: options.signal,
    fifo,
    replyDir,
    http: codec.http,
  }).catch((error) => {
    throw to.kind === "fifo" ? fifoTimeoutHint(error, to.path, options.flavour, replyDir) : error;
  });
  options.trace?.({ kind: "sent", bytes });
  options.trace?.({ kind: "read", chunk: reply });
  if (reply.length === 0) {
    throw new MidgramError(
      "reply-syntax",
      `"${name}" closed the reply with nothing in it (a notification, or a request it refused)`,
    );
  }
  const answer = replyOf(reply, token, options, to, started);
  if (answer === null) {
    throw new MidgramError("reply-syntax", `"${name}" answered another request's id`);
  }
  return answer;
}

/**
 * A FIFO that gave no reply: the framing may be the other server's (Kamailio
 * logs OpenSIPS's `:name:` framing as an invalid JSON document, and the
 * reverse), or the server cannot write to the reply directory. Says what
 * to try.
 */
function fifoTimeoutHint(
  error: unknown,
  path: string,
  flavour: string | undefined,
  replyDir: string,
): unknown {
  if (!(error instanceof MidgramError) || error.code !== "timeout") return error;
  if (!/\(no reply\)$/.test(error.message)) return error;
  const reader = fifoFlavour(path);
  const other = reader?.seen && reader.flavour === (flavour ?? "opensips")
    ? `as ${reader.how.replace(/, its config .*$/, "")}`
    : flavour === "kamailio"
    ? "OpenSIPS's mi_fifo reads it? try --flavour opensips (or jsonrpc/opensips=fifo:PATH)"
    : "Kamailio's jsonrpcs reads it? try --flavour kamailio (or jsonrpc/kamailio=fifo:PATH)";
  return new MidgramError(
    "timeout",
    `${error.message}: is the server's reply directory ${replyDir}? (else give --reply-dir DIR, its fifo_reply_dir or reply_dir); the request was written in ${
      flavour === "kamailio" ? "Kamailio's" : "OpenSIPS's"
    } framing: ${other}`,
    { cause: error },
  );
}

/** One datagram attempt: the reply, or `null` on a timeout. */
async function exchangeDatagram(
  socket: DatagramSocket,
  target: Address,
  bytes: Uint8Array,
  token: unknown,
  options: ChannelOptions,
): Promise<CallReply | null> {
  const wait = limit(options.timeoutMs, options.signal);
  try {
    const started = performance.now();
    await socket.send(bytes, target, { timeoutMs: options.timeoutMs });
    options.trace?.({ kind: "sent", bytes });
    while (true) {
      let datagram;
      try {
        datagram = await socket.receive(wait.signal);
      } catch (error) {
        if (wait.signal.aborted) break;
        throw error;
      }
      // Over UDP only the server's own address may answer.
      if (
        target.kind === "udp" && (datagram.from === null || !sameAddress(datagram.from, target))
      ) continue;
      options.trace?.({ kind: "read", chunk: datagram.data });
      // Another request's id or cookie: not the answer, keep waiting.
      const reply = replyOf(datagram.data, token, options, datagram.from, started);
      if (reply !== null) return reply;
    }
    // The caller aborted (a limit only aborts on its own time or the caller's signal).
    if (wait.aborted) throw aborted(options.name, options.signal!);
    return null;
  } finally {
    wait.done();
  }
}

/** An open stream connection and its packet reader (which keeps the bytes past the last packet). */
interface StreamState {
  connection: StreamConnection;
  reader: FrameReader;
}

async function openStream(to: StreamAddress, options: ChannelOptions): Promise<StreamState> {
  const { codec, name } = options;
  if (!codec.frame && !codec.replyEndsAtClose) {
    throw new MidgramError(
      "usage",
      `Cannot send to "${name}": stream sockets carry binrpc and ctlfifo only (use --dialect binrpc)`,
    );
  }
  const wait = limit(options.timeoutMs, options.signal);
  try {
    const connection = await options.transport.connectStream(to, {
      timeoutMs: options.timeoutMs,
      signal: wait.signal,
    });
    // A dialect whose replies end at the close is read to the end by
    // exchangeClosing(), never through this reader. Bytes that are no
    // packet are the reply's fault, said with the server's name.
    const frame = codec.frame
      ? (buffer: Uint8Array, maxPacket: number) => {
        try {
          return codec.frame!(buffer, maxPacket);
        } catch (error) {
          throw unreadable(error, name);
        }
      }
      : () => 0;
    const trace = options.trace;
    const reader = new FrameReader(connection, frame, {
      tooLargeCode: "reply-too-large",
      cutCode: "truncated-reply",
      name,
      onRead: trace && ((chunk) => trace({ kind: "read", chunk })),
    });
    return { connection, reader };
  } catch (error) {
    throw wait.error(
      name,
      `No connection to "${name}" within ${options.timeoutMs} ms: is the server running?`,
    ) ?? error;
  } finally {
    wait.done();
  }
}

/** What a stream brought that no reply can be framed from: a header not of the dialect, too long. */
function unframeable(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === "reply-syntax" || code === "reply-too-large";
}

/**
 * One request on a stream connection: the first reply carrying our cookie
 * (with `firstReply`: the first packet, or what was read when none is whole).
 */
async function exchangeStream(
  state: StreamState,
  bytes: Uint8Array,
  token: unknown,
  options: ChannelOptions,
): Promise<CallReply> {
  const { name } = options;
  const wait = limit(options.timeoutMs, options.signal);
  const started = performance.now();
  try {
    await state.connection.write(bytes, { timeoutMs: options.timeoutMs });
    options.trace?.({ kind: "sent", bytes });
    while (true) {
      let packet;
      try {
        packet = await state.reader.next(wait.signal);
      } catch (error) {
        if (!options.firstReply || wait.signal.aborted || !unframeable(error)) throw error;
        // kamcmd reads what came itself: the bytes, and why they are no reply.
        return {
          bytes: state.reader.take(),
          outcome: null,
          error: asReplyError(error, name),
          rttMs: performance.now() - started,
          from: null,
        };
      }
      if (packet === null) {
        throw new MidgramError(
          "truncated-reply",
          `"${name}" closed the connection before a whole reply`,
        );
      }
      // A packet of another cookie is skipped.
      const reply = replyOf(packet, token, options, null, started);
      if (reply !== null) return reply;
    }
  } catch (error) {
    throw wait.error(name, noReply(options).message) ?? asReplyError(error, name);
  } finally {
    wait.done();
  }
}

/** An error of reading a stream as a `MidgramError` (a dialect's framer throws its own). */
function asReplyError(error: unknown, name: string): MidgramError {
  return error instanceof MidgramError ? error : unreadable(error, name);
}

/**
 * One request on a connection of its own, for dialects whose replies have
 * no end on a stream (ctl's FIFO protocol): the request, the sending half
 * closed, then everything the server writes until it closes.
 */
async function exchangeClosing(
  to: StreamAddress,
  bytes: Uint8Array,
  token: unknown,
  options: ChannelOptions,
): Promise<CallReply> {
  const { name } = options;
  const started = performance.now();
  const state = await openStream(to, options);
  // One time limit for the whole exchange, connecting included.
  const wait = limit(
    Math.max(1, options.timeoutMs - (performance.now() - started)),
    options.signal,
  );
  try {
    await state.connection.write(bytes, { timeoutMs: options.timeoutMs });
    await state.connection.closeWrite();
    options.trace?.({ kind: "sent", bytes });
    const body = new BoundedChunks(MAX_FRAME);
    for (let chunk; (chunk = await state.connection.read(wait.signal)) !== null;) {
      options.trace?.({ kind: "read", chunk });
      if (!body.push(chunk)) {
        throw new MidgramError(
          "reply-too-large",
          `Reply from "${name}" is over ${MAX_FRAME} bytes`,
        );
      }
    }
    const reply = body.bytes();
    if (reply.length === 0) {
      throw new MidgramError(
        "truncated-reply",
        `"${name}" closed the connection without a reply`,
      );
    }
    const answer = replyOf(reply, token, options, null, started);
    if (answer === null) {
      throw new MidgramError("reply-syntax", `"${name}" answered another request`);
    }
    return answer;
  } catch (error) {
    throw wait.error(name, noReply(options).message) ?? error;
  } finally {
    wait.done();
    await state.connection.close();
  }
}
