/**
 * The Node adapter: `node:dgram` for UDP, the unix-dgram native binding for
 * UNIX datagram sockets (loaded on first use), `node:net` for streams.
 *
 * @module
 */
import dgram from "node:dgram";
import { MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { backlogFull, closedError, errnoName, osError, sendTimeout } from "./_errors.ts";
import { DatagramQueue, SendBacklog } from "./_queue.ts";
import { unixDgramBinding } from "./_unix_dgram_binding.ts";
import {
  bindReplySocketAt,
  bindUnixSafely,
  clientHost,
  clientSocketDir,
  openReplySocket,
  planReplyAccess,
  probeProvesLive,
  removeDir,
  removeSocketFile,
  type SocketFile,
} from "./_unix_path.ts";
import { resolveAddress } from "./resolve_address.ts";
import { connectNetStream, listenNetStream } from "./_stream_net.ts";
import { requestTransports } from "./_requests.ts";
import type {
  Address,
  BindOptions,
  ConnectableOptions,
  Datagram,
  DatagramSocket,
  SendOptions,
  Transport,
  UdpAddress,
  UnixAddress,
} from "./types.ts";

const DEFAULT_SEND_TIMEOUT = 2000;

/**
 * unix-dgram calls its JavaScript callbacks straight from libuv, outside
 * Node's callback scope, so nothing runs the promise jobs (and `nextTick`s)
 * they queue until some other callback of Node's ends: Node 20 happened to
 * run them at once, Node 24 and 26 leave them waiting, and a one-shot `send`
 * over UNIX datagrams had its reply but hung. One immediate after each burst
 * of native callbacks makes Node run them (its callback scope ends with a
 * microtask checkpoint).
 */
let checkpointPending = false;
function checkpointSoon(): void {
  if (checkpointPending) return;
  checkpointPending = true;
  setImmediate(checkpointDone);
}
function checkpointDone(): void {
  checkpointPending = false;
}

/** A raw unix-dgram socket: fd plus the hooks the native callbacks reach. */
class RawUnixSocket {
  readonly fd: number;
  readonly queue = new DatagramQueue();
  private readonly writableWaiters = new Set<() => void>();
  /** Bytes of sends waiting for a full peer: bounded, so non-reading clients cannot grow memory. */
  private readonly backlog = new SendBacklog();
  closed = false;

  constructor() {
    const b = unixDgramBinding();
    const fd = b.socket(
      b.AF_UNIX,
      b.SOCK_DGRAM,
      0,
      (status, data, path) => {
        if (status < 0 || data === null) return;
        checkpointSoon();
        this.queue.push({
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          from: path ? { kind: "unix", path } : null,
        });
      },
      () => {
        checkpointSoon();
        const waiters = [...this.writableWaiters];
        this.writableWaiters.clear();
        for (const w of waiters) w();
      },
    );
    if (fd < 0) throw osError(fd, "bind", { kind: "unix", path: "(new socket)" });
    this.fd = fd;
  }

  bind(path: string): void {
    const rc = unixDgramBinding().bind(this.fd, path);
    if (rc < 0) throw osError(rc, "bind", { kind: "unix", path });
  }

  /** One `sendto`: 0 when the datagram went out, else unix-dgram's status. */
  private sendOnce(data: Uint8Array, to: UnixAddress): number {
    return unixDgramBinding().sendto(this.fd, data, 0, data.length, to.path);
  }

  /** One `sendto` without waiting: true when the datagram went out (see `DatagramSocket.trySend`). */
  trySend(data: Uint8Array, to: UnixAddress): boolean {
    return !this.closed && this.sendOnce(data, to) === 0;
  }

  async send(data: Uint8Array, to: UnixAddress, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let reserved = false;
    try {
      while (true) {
        if (this.closed) throw closedError(to);
        const rc = this.sendOnce(data, to);
        if (rc === 0) return;
        // 1 (unix-dgram's "congestion"), EAGAIN or ENOBUFS: the peer's queue is full.
        if (rc < 0 && rc !== -11 && rc !== -105) throw osError(rc, "send", to);
        if (!reserved) {
          if (!this.backlog.reserve(data.length)) throw backlogFull(to, this.backlog.bytes);
          reserved = true;
        }
        // Wait a little (or until the socket says it is writable) and try again, or give up.
        const left = deadline - Date.now();
        if (left <= 0) throw sendTimeout(to, timeoutMs);
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.writableWaiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, 50));
          this.writableWaiters.add(wake);
        });
      }
    } finally {
      if (reserved) this.backlog.release(data.length);
    }
  }

  close(address: Address): void {
    if (this.closed) return;
    this.closed = true;
    unixDgramBinding().close(this.fd);
    this.queue.fail(closedError(address));
  }
}

class NodeUnixSocket implements DatagramSocket {
  readonly address: UnixAddress;
  private readonly raw: RawUnixSocket;
  private readonly cleanup: () => Promise<void>;

  constructor(
    address: UnixAddress,
    raw: RawUnixSocket,
    cleanup: () => Promise<void>,
  ) {
    this.address = address;
    this.raw = raw;
    this.cleanup = cleanup;
  }

  send(data: Uint8Array, to: Address, options?: SendOptions): Promise<void> {
    if (to.kind !== "unix") {
      return Promise.reject(
        new MidgramError("usage", `Cannot send to "${formatAddress(to)}" from a UNIX socket`),
      );
    }
    return this.raw.send(data, to, options?.timeoutMs ?? DEFAULT_SEND_TIMEOUT);
  }

  trySend(data: Uint8Array, to: Address): boolean {
    return to.kind === "unix" && this.raw.trySend(data, to);
  }

  receive(signal?: AbortSignal): Promise<Datagram> {
    return this.raw.queue.next(signal);
  }

  async close(): Promise<void> {
    if (this.raw.closed) return;
    this.raw.close(this.address);
    await this.cleanup();
  }
}

class NodeUdpSocket implements DatagramSocket {
  readonly queue = new DatagramQueue();
  private closed = false;
  /** A client socket connected to its server: the kernel takes nothing from anyone else. */
  private peer: UdpAddress | null = null;

  readonly address: UdpAddress;
  private readonly socket: dgram.Socket;

  constructor(address: UdpAddress, socket: dgram.Socket) {
    this.address = address;
    this.socket = socket;
    socket.on("message", (msg, rinfo) => {
      this.queue.push({
        data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
        from: { kind: "udp", host: rinfo.address, port: rinfo.port },
      });
    });
    // Errors of unconnected UDP sockets (e.g. ICMP) are not fatal: keep serving. A
    // connected client learns that nothing listens (ICMP port unreachable) at once.
    socket.on("error", (error) => {
      if (this.peer) this.queue.fail(osError(error, "receive", this.peer));
    });
  }

  /** Connects a client socket to its server (ICMP errors then reach it; others' datagrams do not). */
  connect(peer: UdpAddress): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(osError(error, "connect", peer));
      this.socket.once("error", onError);
      this.socket.connect(peer.port, peer.host, () => {
        this.socket.off("error", onError);
        this.peer = peer;
        resolve();
      });
    });
  }

  async send(data: Uint8Array, to: Address, options?: SendOptions): Promise<void> {
    if (to.kind !== "udp") {
      throw new MidgramError("usage", `Cannot send to "${formatAddress(to)}" from a UDP socket`);
    }
    if (this.closed) throw closedError(to);
    const target = await resolveAddress(to) as UdpAddress;
    const timeoutMs = options?.timeoutMs ?? DEFAULT_SEND_TIMEOUT;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(sendTimeout(to, timeoutMs)), timeoutMs);
      const done = (error: Error | null) => {
        clearTimeout(timer);
        if (error) reject(osError(error, "send", to));
        else resolve();
      };
      if (this.peer && this.peer.port === target.port && this.peer.host === target.host) {
        this.socket.send(data, done);
      } else this.socket.send(data, target.port, target.host, done);
    });
  }

  receive(signal?: AbortSignal): Promise<Datagram> {
    return this.queue.next(signal);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.queue.fail(closedError(this.address));
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

async function bindUdp(address: UdpAddress): Promise<NodeUdpSocket> {
  const resolved = await resolveAddress(address) as UdpAddress;
  const socket = dgram.createSocket({ type: resolved.host.includes(":") ? "udp6" : "udp4" });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(osError(error, "bind", address));
    socket.once("error", onError);
    socket.bind({ address: resolved.host, port: resolved.port, exclusive: true }, () => {
      socket.off("error", onError);
      resolve();
    });
  }).catch((error) => {
    try {
      socket.close();
    } catch { /* never bound */ }
    throw error;
  });
  const local = socket.address();
  return new NodeUdpSocket({ kind: "udp", host: local.address, port: local.port }, socket);
}

/** A raw UNIX datagram socket bound at `path` (for `address`'s messages). */
function bindRaw(address: UnixAddress, path: string): RawUnixSocket {
  const raw = new RawUnixSocket();
  try {
    raw.bind(path);
  } catch (error) {
    raw.close(address);
    throw osError((error as MidgramError).cause ?? error, "bind", address);
  }
  return raw;
}

/** Whether a live server accepts a datagram at `path` (an empty one, which servers ignore). */
// deno-lint-ignore require-await
async function unixIsLive(path: string): Promise<boolean> {
  const probe = new RawUnixSocket();
  try {
    const rc = unixDgramBinding().sendto(probe.fd, new Uint8Array(0), 0, 0, path);
    return probeProvesLive(path, rc >= 0 ? null : errnoName(rc));
  } finally {
    probe.close({ kind: "unix", path });
  }
}

/**
 * The transport for Node.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNodeTransport } from "./node.ts";
 * const transport = createNodeTransport();
 * const server = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
 * assert.ok(server.address.kind === "udp" && server.address.port > 0);
 * await server.close();
 * ```
 */
export function createNodeTransport(): Transport {
  return {
    name: "node",
    resolve: resolveAddress,
    listenStream: listenNetStream,
    connectStream: connectNetStream,
    ...requestTransports,
    async bind(address: Address, options: BindOptions = {}): Promise<DatagramSocket> {
      if (address.kind === "udp") return await bindUdp(address);
      let file: SocketFile | null = null;
      const { socket, file: made } = await bindUnixSafely(
        address,
        options,
        (path) => Promise.resolve(bindRaw(address, path)),
        (raw) => raw.close(address),
        unixIsLive,
      );
      file = made;
      return new NodeUnixSocket(address, socket, () => removeSocketFile(file!));
    },
    async connectable(peer: Address, options: ConnectableOptions = {}): Promise<DatagramSocket> {
      if (peer.kind === "unix" && options.path !== undefined) {
        const address: UnixAddress = { kind: "unix", path: options.path };
        const { socket, file } = await bindReplySocketAt(
          address,
          peer,
          (path) => bindRaw(address, path),
          (raw) => raw.close(address),
          unixIsLive,
        );
        return new NodeUnixSocket(address, socket, () => removeSocketFile(file));
      }
      if (peer.kind === "udp") {
        const resolved = await resolveAddress(peer) as UdpAddress;
        const socket = await bindUdp({ kind: "udp", host: clientHost(resolved.host), port: 0 });
        try {
          await socket.connect(resolved);
        } catch (error) {
          await socket.close();
          throw error;
        }
        return socket;
      }
      const access = await planReplyAccess(peer);
      const { dir, path } = await clientSocketDir();
      const raw = new RawUnixSocket();
      try {
        raw.bind(path);
        await openReplySocket(dir, path, access);
      } catch (error) {
        raw.close({ kind: "unix", path });
        await removeDir(dir);
        throw error;
      }
      return new NodeUnixSocket({ kind: "unix", path }, raw, () => removeDir(dir));
    },
  };
}
