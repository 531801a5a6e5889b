/**
 * The one small interface every datagram transport implements. Servers and
 * clients see only this; the adapters (Deno, Node, in-memory) translate the
 * runtime's sockets onto it and move bytes and addresses, nothing else.
 *
 * @module
 */
import type {
  Fault,
  FifoDrop,
  FifoFraming,
  HttpCarriage,
  HttpStatus,
} from "../protocol/dialect.ts";
import type { ConnectionGate } from "./connection_gate.ts";

export type {
  FifoDrop,
  FifoFraming,
  FifoRequestReader,
  HttpCarriage,
  HttpStatus,
} from "../protocol/dialect.ts";

/** A UNIX datagram socket address: a file system path. */
export interface UnixAddress {
  kind: "unix";
  path: string;
}

/** A UDP address; `host` is an IP literal (v4 or v6, no brackets) once bound or resolved. */
export interface UdpAddress {
  kind: "udp";
  host: string;
  port: number;
}

/** Where a datagram goes to or comes from. */
export type Address = UnixAddress | UdpAddress;

/** A UNIX stream socket address (kamcmd's `unixs:/path`). */
export interface UnixStreamAddress {
  kind: "unix-stream";
  path: string;
}

/** A TCP address; `host` as for {@linkcode UdpAddress}. */
export interface TcpAddress {
  kind: "tcp";
  host: string;
  port: number;
}

/** A named pipe (FIFO) of a server's `mi_fifo` or `jsonrpcs` module. */
export interface FifoAddress {
  kind: "fifo";
  path: string;
}

/** An HTTP endpoint (`mi_http`, `xhttp`): a normalised `http:` URL. */
export interface HttpAddress {
  kind: "http";
  url: string;
}

/** Where a stream connection goes to or comes from. */
export type StreamAddress = UnixStreamAddress | TcpAddress;

/** Any address midgram can reach a server at. */
export type AnyAddress = Address | StreamAddress | FifoAddress | HttpAddress;

/** A received datagram. */
export interface Datagram {
  /** The bytes, at most `maxDatagram` of the socket (anything longer was cut by the OS). */
  data: Uint8Array;
  /**
   * The sender, or `null` when it cannot be replied to (an unbound or
   * unnamed UNIX socket).
   */
  from: Address | null;
}

/** Options for binding a socket. */
export interface BindOptions {
  /** UNIX only: file mode of the socket, e.g. `0o660`. Default `0o660`. */
  mode?: number;
  /** UNIX only: numeric owner to give the socket (needs privilege). */
  uid?: number;
  /** UNIX only: numeric group to give the socket. */
  gid?: number;
}

/** Options for one send. */
export interface SendOptions {
  /** Give up with a `timeout` error after this many milliseconds. Default 2000. */
  timeoutMs?: number;
}

/** A bound datagram socket. */
export interface DatagramSocket {
  /** The address this socket is bound to (the real port for port 0). */
  readonly address: Address;
  /**
   * Sends one datagram. Rejects with a `MidgramError` (`connection-refused`,
   * `not-found`, `permission-denied`, `timeout`, `closed`, `transport`, …)
   * that names the destination.
   */
  send(data: Uint8Array, to: Address, options?: SendOptions): Promise<void>;
  /**
   * Optional: sends one datagram at once if the socket can, without a
   * promise (a server's fast path). `true` when it went out; `false` when it
   * did not (the peer's queue is full, an error, a closed socket), and the
   * caller then uses {@linkcode DatagramSocket.send}, which waits or
   * reports why. Never throws.
   */
  trySend?(data: Uint8Array, to: Address): boolean;
  /**
   * Waits for the next datagram. Only one `receive()` may be pending at a
   * time. Rejects with a `closed` error once the socket is closed, and with
   * the signal's reason when `signal` aborts (the datagram that arrives later
   * is kept for the next call, never lost).
   */
  receive(signal?: AbortSignal): Promise<Datagram>;
  /** Closes the socket and, for a UNIX socket this call bound, removes its file. Idempotent. */
  close(): Promise<void>;
}

/** Options for opening a stream connection. */
export interface ConnectOptions {
  /** Give up with a `timeout` error after this many milliseconds. Default 2000. */
  timeoutMs?: number;
  /** Gives up with the signal's reason when it aborts. */
  signal?: AbortSignal;
}

/** One end of a stream connection (UNIX stream or TCP). */
export interface StreamConnection {
  /**
   * The other end: the server's address on a client's connection, the
   * client's on a TCP server's, `null` for an unnamed UNIX client.
   */
  readonly peer: StreamAddress | null;
  /**
   * The next bytes received, as the OS delivered them (a packet may come in
   * pieces, or several in one piece: see `readFrames`), or `null` at the end
   * of the stream. One `read()` may be pending at a time. Rejects with a
   * `closed` error once `close()` is called, with the signal's reason on
   * abort (bytes that arrive later are kept for the next call).
   */
  read(signal?: AbortSignal): Promise<Uint8Array | null>;
  /**
   * Writes all of `data`. A write that does not complete in time (the peer
   * does not read) rejects with `timeout` and leaves the connection closed,
   * since part of the data may be gone.
   */
  write(data: Uint8Array, options?: SendOptions): Promise<void>;
  /**
   * Closes the sending half after what was written (TCP's FIN): the peer
   * reads the end of the stream, and this end still reads its reply.
   */
  closeWrite(): Promise<void>;
  /** Flushes what was written and closes the connection. Idempotent. */
  close(): Promise<void>;
}

/** A listening stream socket. */
export interface StreamListener {
  /** The address listened on (the real port for port 0). */
  readonly address: StreamAddress;
  /**
   * Waits for the next connection. One `accept()` may be pending at a time;
   * rejects with `closed` once the listener is closed, with the signal's
   * reason on abort (the connection that arrives later is kept).
   */
  accept(signal?: AbortSignal): Promise<StreamConnection>;
  /**
   * Stops listening and, for a UNIX socket, removes its file. Connections
   * already accepted stay open. Idempotent.
   */
  close(): Promise<void>;
}

/** An address served request by request: a FIFO or an HTTP URL. */
export type RequestAddress = FifoAddress | HttpAddress;

/** One request a {@linkcode RequestListener} received: its bytes, its peer and a way to answer. */
export interface ReceivedRequest {
  /** The request, without the transport's framing. */
  readonly data: Uint8Array;
  /** The client where the transport knows it (an HTTP peer), else `null`. */
  readonly from: AnyAddress | null;
  /**
   * Why no reply can reach the client (a reply FIFO name the server
   * refuses), or `null`. Such a request is still handed over: the real
   * servers run it.
   */
  readonly unanswerable: string | null;
  /** Where the reply goes, for messages (a reply FIFO's name), or `undefined`. */
  readonly replyTo?: string;
  /**
   * Sends the reply (`null`: none, an HTTP 204), within `timeoutMs`. Resolves
   * once delivered, or at once when the request asked for no reply or
   * cannot be answered; rejects with a `MidgramError` when delivery fails
   * (the client gone). Call it once.
   */
  respond(reply: Uint8Array | null, options?: RespondOptions): Promise<void>;
}

/** Options of {@linkcode ReceivedRequest.respond}. */
export interface RespondOptions extends SendOptions {
  /**
   * The error the reply carries, as the server encoded it (`null` or
   * absent: none): HTTP answers with the status its carriage gives for it.
   */
  fault?: Fault | null;
}

/** Options of {@linkcode Transport.listenRequests}. */
export interface RequestListenOptions extends BindOptions {
  /** FIFO: how the dialect frames its requests there (required for a FIFO). */
  fifo?: FifoFraming;
  /** FIFO: the directory where clients make their reply FIFOs. Default `/tmp`. */
  replyDir?: string;
  /** FIFO: told of the bytes dropped without a reply, and why. */
  onDrop?: (drop: FifoDrop) => void;
  /** HTTP: how the dialect is carried (required for HTTP). */
  http?: HttpCarriage;
  /** HTTP: admits each new connection (allow-list, connection cap). */
  gate?: ConnectionGate;
  /** HTTP: a connection on which nothing arrives for this long is closed. */
  idleTimeoutMs?: number;
}

/** A served FIFO or HTTP URL, which yields requests one by one. */
export interface RequestListener {
  /** The address served (the real port for port 0). */
  readonly address: RequestAddress;
  /**
   * The next request. One `next()` may be pending at a time; rejects with
   * `closed` once stopped, with the signal's reason on abort (a request
   * that arrives later is kept).
   */
  next(signal?: AbortSignal): Promise<ReceivedRequest>;
  /**
   * Stops receiving at once (a FIFO is removed; HTTP stops accepting and
   * refuses further requests with 503); requests already received can still
   * be answered. Idempotent.
   */
  stop(): Promise<void>;
  /** Stops and closes everything, connections included. Idempotent. */
  close(): Promise<void>;
  /**
   * What the listener holds between reads: requests received and not yet
   * taken by {@linkcode next}, and bytes kept for them and for a request
   * not yet whole. Read-only accounting, for tests and monitoring.
   */
  retained?(): { requests: number; bytes: number };
}

/** Options of {@linkcode Transport.exchange}. */
export interface ExchangeOptions {
  /** One limit for the whole exchange, every step included. Default 2000. */
  timeoutMs?: number;
  /** Gives up with the signal's reason when it aborts. */
  signal?: AbortSignal;
  /** FIFO: how the dialect frames its requests (required for a FIFO). */
  fifo?: FifoFraming;
  /** FIFO: the server's reply directory, where the reply FIFO is made. Default `/tmp`. */
  replyDir?: string;
  /** HTTP: how the dialect is carried (required for HTTP). */
  http?: HttpCarriage;
  /** HTTP: told of the reply's status line before the exchange resolves. */
  onStatus?: (status: HttpStatus) => void;
  /** Largest reply accepted. Default 16 MiB. */
  maxReply?: number;
}

/** Options of {@linkcode Transport.connectable}. */
export interface ConnectableOptions {
  /**
   * UNIX only: the client socket is bound at exactly this path (kamcmd's
   * `-R`), its own name, so that the server answers there, instead of in a
   * private directory. Refused as by `bind()` when anything but a dead
   * socket is there; reachable by whom the private directory would let in;
   * its file removed by `close()`.
   */
  path?: string;
}

/** A way to open datagram sockets: one per runtime, plus an in-memory one for tests. */
export interface Transport {
  /** A short name for messages and test titles: `deno`, `node`, `memory`. */
  readonly name: string;
  /**
   * Binds a socket at `address`. For UNIX sockets the path is made safely:
   * an existing socket file that nobody serves is replaced, anything else
   * (a live socket, a regular file, a symbolic link) is refused, and the
   * socket never exists with wider permissions than `mode`.
   */
  bind(address: Address, options?: BindOptions): Promise<DatagramSocket>;
  /**
   * Opens a client socket able to reach `peer`: for UNIX, bound at a unique
   * path inside a private temporary directory (both removed by `close()`);
   * for UDP, bound to an ephemeral port of the peer's address family.
   */
  connectable(peer: Address, options?: ConnectableOptions): Promise<DatagramSocket>;
  /**
   * Resolves a host name to an IP literal (the first address the resolver
   * gives); UNIX addresses and IP literals pass through. Throws `not-found`.
   */
  resolve<T extends AnyAddress>(address: T): Promise<T>;
  /**
   * Listens for stream connections at `address`; a UNIX socket file is made
   * as safely as for `bind()` (a stale stream socket is replaced, a live one,
   * a datagram socket or anything else is refused).
   */
  listenStream(address: StreamAddress, options?: BindOptions): Promise<StreamListener>;
  /**
   * Connects to a stream listener. Rejects with a `MidgramError`
   * (`connection-refused`, `not-found`, `permission-denied`, `not-a-socket`,
   * `timeout`, …) that names the address.
   */
  connectStream(address: StreamAddress, options?: ConnectOptions): Promise<StreamConnection>;
  /**
   * Serves a FIFO (made as safely as a UNIX socket file: a stale one is
   * replaced, a live one or anything else refused) or an HTTP URL (POST to
   * its path or below), request by request.
   */
  listenRequests(address: RequestAddress, options: RequestListenOptions): Promise<RequestListener>;
  /**
   * One request to a FIFO or HTTP server and its whole reply, within one
   * time limit. Rejects with a `MidgramError` (`timeout`, `not-found`,
   * `connection-refused`, `reply-too-large`, …) that names the address.
   */
  exchange(to: RequestAddress, request: Uint8Array, options: ExchangeOptions): Promise<Uint8Array>;
}

/** Bytes a stream connection buffers unread before it stops reading from the OS. */
export const STREAM_HIGH_WATER = 1 << 20;

/** Largest datagram any adapter receives whole; longer ones arrive cut to this size. */
export const RECEIVE_BUFFER_SIZE = 65536;
