/**
 * An in-memory transport with the semantics of the real ones, for tests and
 * for running a server in-process. Each call makes its own network.
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { closedError } from "./_errors.ts";
import { DatagramQueue } from "./_queue.ts";
import { memoryStreams } from "./_memory_stream.ts";
import { memoryRequests } from "./_memory_requests.ts";
import { RECEIVE_BUFFER_SIZE } from "./types.ts";
import type {
  Address,
  ConnectableOptions,
  Datagram,
  DatagramSocket,
  SendOptions,
  Transport,
} from "./types.ts";

class MemorySocket implements DatagramSocket {
  readonly queue = new DatagramQueue();
  closed = false;

  readonly address: Address;
  private readonly network: Map<string, MemorySocket>;

  constructor(address: Address, network: Map<string, MemorySocket>) {
    this.address = address;
    this.network = network;
  }

  send(data: Uint8Array, to: Address, _options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this.address));
    if (to.kind !== this.address.kind) {
      return Promise.reject(
        new MidgramError(
          "usage",
          `Cannot send to "${formatAddress(to)}" from "${formatAddress(this.address)}"`,
        ),
      );
    }
    const peer = this.network.get(formatAddress(to));
    if (!peer) {
      return Promise.reject(
        to.kind === "unix"
          ? new MidgramError(
            "not-found",
            `Cannot send to "${
              formatAddress(to)
            }": no such socket: is the server running and is the path right?`,
          )
          : new MidgramError(
            "connection-refused",
            `Cannot send to "${formatAddress(to)}": connection refused`,
          ),
      );
    }
    // Copy, as a real socket would, and cut at the receive buffer size.
    peer.queue.push({ data: data.slice(0, RECEIVE_BUFFER_SIZE), from: this.address });
    return Promise.resolve();
  }

  receive(signal?: AbortSignal): Promise<Datagram> {
    return this.queue.next(signal);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.network.delete(formatAddress(this.address));
      this.queue.fail(closedError(this.address));
    }
    return Promise.resolve();
  }
}

/**
 * A transport whose sockets live in memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMemoryTransport } from "./memory.ts";
 * const net = createMemoryTransport();
 * const server = await net.bind({ kind: "unix", path: "/mi.sock" });
 * const client = await net.connectable(server.address);
 * await client.send(new TextEncoder().encode(":version:\n"), server.address);
 * const { data, from } = await server.receive();
 * assert.equal(new TextDecoder().decode(data), ":version:\n");
 * assert.deepEqual(from, client.address);
 * await client.close();
 * await server.close();
 * ```
 */
export function createMemoryTransport(): Transport {
  const network = new Map<string, MemorySocket>();
  let next = 40000;
  const open = (address: Address) => {
    const key = formatAddress(address);
    if (network.has(key)) {
      throw new MidgramError(
        "address-in-use",
        `Cannot bind "${key}": address in use: is another server running?`,
      );
    }
    const socket = new MemorySocket(address, network);
    network.set(key, socket);
    return socket;
  };
  return {
    name: "memory",
    resolve: (address) => Promise.resolve(address),
    ...memoryStreams(),
    ...memoryRequests(),
    bind(address: Address): Promise<DatagramSocket> {
      try {
        if (address.kind === "udp" && address.port === 0) {
          return Promise.resolve(open({ ...address, port: next++ }));
        }
        return Promise.resolve(open(address));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    connectable(peer: Address, options: ConnectableOptions = {}): Promise<DatagramSocket> {
      if (peer.kind === "unix" && options.path !== undefined) {
        return Promise.resolve(open({ kind: "unix", path: options.path }));
      }
      const id = next++;
      return Promise.resolve(
        open(
          peer.kind === "unix"
            ? { kind: "unix", path: `/memory/client-${id}.sock` }
            : { kind: "udp", host: peer.host.includes(":") ? "::1" : "127.0.0.1", port: id },
        ),
      );
    },
  };
}
