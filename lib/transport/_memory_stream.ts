/**
 * In-memory stream connections with the semantics of the real ones: bytes
 * arrive as written (a packet written in pieces is read in pieces), a peer
 * that does not read makes writes wait, and close means end of stream.
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { AsyncQueue } from "./_async_queue.ts";
import { closedError, sendTimeout } from "./_errors.ts";
import {
  type ConnectOptions,
  type SendOptions,
  STREAM_HIGH_WATER,
  type StreamAddress,
  type StreamConnection,
  type StreamListener,
} from "./types.ts";

class MemoryConnection implements StreamConnection {
  readonly chunks = new AsyncQueue<Uint8Array>();
  buffered = 0;
  other: MemoryConnection | null = null;
  closed = false;
  private drained: (() => void)[] = [];

  readonly peer: StreamAddress | null;
  private readonly name: StreamAddress;

  constructor(peer: StreamAddress | null, name: StreamAddress) {
    this.peer = peer;
    this.name = name;
    this.chunks.onTake = () => {
      if (this.buffered < STREAM_HIGH_WATER) this.wakeWriters();
    };
  }

  private wakeWriters(): void {
    const waiting = this.drained;
    this.drained = [];
    for (const wake of waiting) wake();
  }

  async read(signal?: AbortSignal): Promise<Uint8Array | null> {
    if (this.closed) throw closedError(this.name);
    const chunk = await this.chunks.next(signal);
    if (chunk) this.buffered -= chunk.length;
    return chunk;
  }

  async write(data: Uint8Array, options?: SendOptions): Promise<void> {
    if (this.closed) throw closedError(this.name);
    const other = this.other!;
    if (other.closed) {
      throw new MidgramError(
        "closed",
        `Cannot send to "${formatAddress(this.name)}": the peer closed the connection`,
      );
    }
    other.buffered += data.length;
    other.chunks.push(data.slice());
    if (other.buffered <= STREAM_HIGH_WATER) return;
    // The peer does not keep up: wait until it reads, as a full socket buffer would.
    const timeoutMs = options?.timeoutMs ?? 2000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.close();
        reject(sendTimeout(this.name, timeoutMs));
      }, timeoutMs);
      other.drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  closeWrite(): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this.name));
    this.other?.chunks.end();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.chunks.fail(closedError(this.name), true);
      this.other?.chunks.end();
      // Writers waiting for this end to read are done: their next write fails.
      this.wakeWriters();
    }
    return Promise.resolve();
  }
}

class MemoryListener implements StreamListener {
  readonly pending = new AsyncQueue<MemoryConnection>();
  closed = false;

  readonly address: StreamAddress;
  private readonly onClose: () => void;

  constructor(address: StreamAddress, onClose: () => void) {
    this.address = address;
    this.onClose = onClose;
  }

  async accept(signal?: AbortSignal): Promise<StreamConnection> {
    if (this.closed) throw closedError(this.address);
    const connection = await this.pending.next(signal);
    if (!connection) throw closedError(this.address);
    return connection;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.pending.fail(closedError(this.address), true);
      this.onClose();
    }
    return Promise.resolve();
  }
}

/** The stream half of the memory transport: listeners live in `network`, keyed by address. */
export function memoryStreams(): {
  listenStream(address: StreamAddress): Promise<StreamListener>;
  connectStream(address: StreamAddress, options?: ConnectOptions): Promise<StreamConnection>;
} {
  const network = new Map<string, MemoryListener>();
  let next = 50000;
  return {
    listenStream(address: StreamAddress): Promise<StreamListener> {
      const bound = address.kind === "tcp" && address.port === 0
        ? { ...address, port: next++ }
        : address;
      const key = formatAddress(bound);
      if (network.has(key)) {
        return Promise.reject(
          new MidgramError(
            "address-in-use",
            `Cannot bind "${key}": address in use: a server answers there`,
          ),
        );
      }
      const listener = new MemoryListener(bound, () => network.delete(key));
      network.set(key, listener);
      return Promise.resolve(listener);
    },
    connectStream(address: StreamAddress, options?: ConnectOptions): Promise<StreamConnection> {
      if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
      const key = formatAddress(address);
      const listener = network.get(key);
      if (!listener) {
        return Promise.reject(
          address.kind === "unix-stream"
            ? new MidgramError(
              "not-found",
              `Cannot connect to "${key}": no such socket: is the server running and is the path right?`,
            )
            : new MidgramError(
              "connection-refused",
              `Cannot connect to "${key}": connection refused: nothing listens on this port`,
            ),
        );
      }
      const client = new MemoryConnection(address, address);
      const server = new MemoryConnection(
        address.kind === "tcp" ? { kind: "tcp", host: address.host, port: next++ } : null,
        listener.address,
      );
      client.other = server;
      server.other = client;
      listener.pending.push(server);
      return Promise.resolve(client);
    },
  };
}
