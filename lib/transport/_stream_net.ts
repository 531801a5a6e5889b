/**
 * Stream connections (UNIX stream and TCP) on `node:net`, shared by the Node
 * and Deno adapters: Deno's `node:net` serves UNIX paths and TCP alike, so
 * one implementation moves the bytes on both runtimes.
 *
 * @module
 */
import net from "node:net";
import { MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { AsyncQueue } from "./_async_queue.ts";
import {
  closedError,
  connectTimeout,
  errnoName,
  osError,
  otherTypeThere,
  sendTimeout,
} from "./_errors.ts";
import { bindUnixSafely, removeSocketFile, type SocketFile } from "./_unix_path.ts";
import { resolveAddress } from "./resolve_address.ts";
import {
  type BindOptions,
  type ConnectOptions,
  type SendOptions,
  STREAM_HIGH_WATER,
  type StreamAddress,
  type StreamConnection,
  type StreamListener,
  type TcpAddress,
} from "./types.ts";

const DEFAULT_TIMEOUT = 2000;
/** How long `close()` waits for written bytes to drain before it drops them. */
const CLOSE_GRACE = 1000;

class NetConnection implements StreamConnection {
  private readonly chunks = new AsyncQueue<Uint8Array>();
  private buffered = 0;
  private closed = false;
  /**
   * Server side: taken by accept(). Servers listen half-open, so that a
   * client that closes its half after a request still reads the reply (ctl's
   * FIFO protocol over TCP); a connection nobody took ends its half at the
   * client's end, as a server that is not half-open does.
   */
  accepted = false;
  private readonly gone: Promise<void>;

  /** @param name The address errors name: the peer's for a client, the listener's for a server. */
  readonly peer: StreamAddress | null;
  private readonly socket: net.Socket;
  private readonly name: StreamAddress;

  constructor(
    peer: StreamAddress | null,
    socket: net.Socket,
    name: StreamAddress,
  ) {
    this.peer = peer;
    this.socket = socket;
    this.name = name;
    this.gone = new Promise((resolve) => socket.once("close", () => resolve()));
    this.chunks.onTake = () => {
      if (this.buffered < STREAM_HIGH_WATER && socket.isPaused()) socket.resume();
    };
    socket.on("data", (data: Uint8Array) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      this.buffered += bytes.length;
      this.chunks.push(bytes);
      if (this.buffered >= STREAM_HIGH_WATER) socket.pause();
    });
    socket.on("end", () => {
      this.chunks.end();
      if (!this.accepted && socket.allowHalfOpen) socket.end();
    });
    socket.on("error", (error) => this.chunks.fail(osError(error, "receive", name)));
    socket.on("close", () => this.chunks.end());
  }

  async read(signal?: AbortSignal): Promise<Uint8Array | null> {
    if (this.closed) throw closedError(this.name);
    const chunk = await this.chunks.next(signal);
    if (chunk) this.buffered -= chunk.length;
    if (this.buffered < STREAM_HIGH_WATER && this.socket.isPaused()) this.socket.resume();
    return chunk;
  }

  write(data: Uint8Array, options?: SendOptions): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.reject(closedError(this.name));
    // The write's outcome: undefined while it is pending; then null or its error.
    let outcome: Error | null | undefined = undefined;
    let settle: ((error: Error | null) => void) | null = null;
    const accepted = this.socket.write(data, (error) => {
      if (settle) settle(error ?? null);
      else outcome = error ?? null;
    });
    // Handed to the OS during the call (Node writes at once when it can):
    // done, with no timer and no waiting for the callback.
    if (accepted && this.socket.writableLength === 0 && outcome === undefined) {
      return Promise.resolve();
    }
    const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Settle first: destroying fails the pending write at once (ECANCELED on Deno).
        reject(sendTimeout(this.name, timeoutMs));
        this.socket.destroy();
      }, timeoutMs);
      settle = (error) => {
        clearTimeout(timer);
        if (error) reject(osError(error, "send", this.name));
        else resolve();
      };
      if (outcome !== undefined) settle(outcome);
    });
  }

  closeWrite(): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.reject(closedError(this.name));
    return new Promise((resolve) => this.socket.end(() => resolve()));
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.chunks.fail(closedError(this.name), true);
      const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE);
      this.socket.end(() => this.socket.destroy());
      await this.gone;
      clearTimeout(timer);
    }
    await this.gone;
  }
}

function peerOf(socket: net.Socket, address: StreamAddress): StreamAddress | null {
  if (address.kind === "unix-stream") return null;
  if (!socket.remoteAddress || socket.remotePort === undefined) return null;
  return { kind: "tcp", host: socket.remoteAddress, port: socket.remotePort };
}

class NetListener implements StreamListener {
  private readonly pending = new AsyncQueue<NetConnection>();
  private closed = false;

  readonly address: StreamAddress;
  private readonly server: net.Server;
  private readonly file: SocketFile | null;

  constructor(
    address: StreamAddress,
    server: net.Server,
    file: SocketFile | null,
  ) {
    this.address = address;
    this.server = server;
    this.file = file;
    server.on("connection", (socket) => {
      if (this.closed) {
        socket.destroy();
        return;
      }
      this.pending.push(new NetConnection(peerOf(socket, address), socket, address));
    });
    server.on("error", (error) => this.pending.fail(osError(error, "receive", address)));
  }

  async accept(signal?: AbortSignal): Promise<StreamConnection> {
    if (this.closed) throw closedError(this.address);
    const connection = await this.pending.next(signal);
    if (!connection) throw closedError(this.address);
    connection.accepted = true;
    return connection;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.fail(closedError(this.address), true);
    // close() stops listening at once; its callback would wait for every
    // accepted connection to end, and those stay open (a stopping server
    // still writes their replies).
    this.server.close();
    if (this.file) await removeSocketFile(this.file);
  }
}

function listenAt(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(options, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/**
 * Whether a live server accepts connections at `path`: connected → live,
 * refused → a stale socket file; anything else is refused with the reason.
 */
async function streamIsLive(path: string): Promise<boolean> {
  const address: StreamAddress = { kind: "unix-stream", path };
  try {
    const probe = await connectNetStream(address, { timeoutMs: DEFAULT_TIMEOUT });
    await probe.close();
    return true;
  } catch (error) {
    const code = (error as MidgramError).code;
    // Refused: nobody serves the file; gone: it vanished since it was looked at.
    if (code === "connection-refused" || code === "not-found") return false;
    if (errnoName((error as Error).cause) === "EPROTOTYPE") throw otherTypeThere(path, "datagram");
    const detail = code === "timeout"
      ? "the socket there does not answer; refusing to replace it"
      : `cannot tell whether the socket there is live: ${(error as Error).message}`;
    throw new MidgramError(
      code === "timeout" ? "address-in-use" : "not-a-socket",
      `Cannot bind "${formatAddress(address)}": ${detail}`,
      {
        cause: error,
      },
    );
  }
}

/** Listens on a UNIX stream socket (made safely) or a TCP port. */
export async function listenNetStream(
  address: StreamAddress,
  options: BindOptions = {},
): Promise<StreamListener> {
  if (address.kind === "tcp") {
    const resolved = await resolveAddress(address);
    const server = net.createServer({ allowHalfOpen: true });
    try {
      await listenAt(server, { host: resolved.host, port: resolved.port, exclusive: true });
    } catch (error) {
      server.close();
      throw osError(error, "bind", address);
    }
    const local = server.address() as net.AddressInfo;
    const bound: TcpAddress = { kind: "tcp", host: local.address, port: local.port };
    return new NetListener(bound, server, null);
  }
  const { socket, file } = await bindUnixSafely(
    { kind: "unix", path: address.path },
    options,
    async (path) => {
      const server = net.createServer({ allowHalfOpen: true });
      try {
        await listenAt(server, { path, exclusive: true });
      } catch (error) {
        server.close();
        throw osError(error, "bind", address);
      }
      return server;
    },
    (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    streamIsLive,
  );
  return new NetListener(address, socket, file);
}

/** Connects to a UNIX stream socket or a TCP port. */
export async function connectNetStream(
  address: StreamAddress,
  options: ConnectOptions = {},
): Promise<StreamConnection> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT;
  if (signal?.aborted) throw signal.reason;
  const target = await resolveAddress(address);
  const socket = target.kind === "tcp"
    ? net.connect({ host: target.host, port: target.port, allowHalfOpen: false })
    : net.connect({ path: target.path, allowHalfOpen: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(connectTimeout(address, timeoutMs)), timeoutMs);
      onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", () => resolve());
      socket.once("error", (error) => reject(osError(error, "connect", address)));
    });
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  return new NetConnection(address, socket, address);
}
