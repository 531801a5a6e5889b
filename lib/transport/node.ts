/**
 * The Node adapter: `node:dgram` for UDP, the unix-dgram native binding for
 * UNIX datagram sockets (loaded on first use), `node:net` for streams.
 *
 * @module
 */
import dgram from "node:dgram";
import { MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { closedError, osError, otherTypeThere, sendTimeout } from "./_errors.ts";
import { DatagramQueue } from "./_queue.ts";
import { unixDgramBinding } from "./_unix_dgram_binding.ts";
import {
  bindUnixSafely,
  clientHost,
  clientSocketDir,
  openReplySocket,
  planReplyAccess,
  removeDir,
  removeSocketFile,
  type SocketFile,
} from "./_unix_path.ts";
import { resolveAddress } from "./resolve_address.ts";
import { connectNetStream, listenNetStream } from "./_stream_net.ts";
import type {
  Address,
  BindOptions,
  Datagram,
  DatagramSocket,
  SendOptions,
  Transport,
  UdpAddress,
  UnixAddress,
} from "./types.ts";

const DEFAULT_SEND_TIMEOUT = 2000;

/** A raw unix-dgram socket: fd plus the hooks the native callbacks reach. */
class RawUnixSocket {
  readonly fd: number;
  readonly queue = new DatagramQueue();
  private writableWaiters: (() => void)[] = [];
  closed = false;

  constructor() {
    const b = unixDgramBinding();
    const fd = b.socket(
      b.AF_UNIX,
      b.SOCK_DGRAM,
      0,
      (status, data, path) => {
        if (status < 0 || data === null) return;
        this.queue.push({
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          from: path ? { kind: "unix", path } : null,
        });
      },
      () => {
        const waiters = this.writableWaiters;
        this.writableWaiters = [];
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

  async send(data: Uint8Array, to: UnixAddress, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (this.closed) throw closedError(to);
      const rc = unixDgramBinding().sendto(this.fd, data, 0, data.length, to.path);
      if (rc === 0) return;
      // 1 (unix-dgram's "congestion"), EAGAIN or ENOBUFS: the peer's queue is full.
      if (rc < 0 && rc !== -11 && rc !== -105) throw osError(rc, "send", to);
      // Wait a little (or until the socket says it is writable) and try again, or give up.
      const left = deadline - Date.now();
      if (left <= 0) throw sendTimeout(to, timeoutMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.writableWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
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
  constructor(
    readonly address: UnixAddress,
    private readonly raw: RawUnixSocket,
    private readonly cleanup: () => Promise<void>,
  ) {}

  send(data: Uint8Array, to: Address, options?: SendOptions): Promise<void> {
    if (to.kind !== "unix") {
      return Promise.reject(
        new MidgramError("usage", `Cannot send to "${formatAddress(to)}" from a UNIX socket`),
      );
    }
    return this.raw.send(data, to, options?.timeoutMs ?? DEFAULT_SEND_TIMEOUT);
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

  constructor(readonly address: UdpAddress, private readonly socket: dgram.Socket) {
    socket.on("message", (msg, rinfo) => {
      this.queue.push({
        data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
        from: { kind: "udp", host: rinfo.address, port: rinfo.port },
      });
    });
    // Errors of unconnected UDP sockets (e.g. ICMP) are not fatal: keep serving.
    socket.on("error", () => {});
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
      this.socket.send(data, target.port, target.host, (error) => {
        clearTimeout(timer);
        if (error) reject(osError(error, "send", to));
        else resolve();
      });
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

/** Whether a live server accepts a datagram at `path` (an empty one, which servers ignore). */
function unixIsLive(path: string): Promise<boolean> {
  const probe = new RawUnixSocket();
  try {
    const rc = unixDgramBinding().sendto(probe.fd, new Uint8Array(0), 0, 0, path);
    if (rc === -91) return Promise.reject(otherTypeThere(path)); // EPROTOTYPE
    return Promise.resolve(rc >= 0);
  } finally {
    probe.close({ kind: "unix", path });
  }
}

/**
 * The transport for Node.
 *
 * @example
 * ```ts
 * import { createNodeTransport } from "./node.ts";
 * const transport = createNodeTransport();
 * const server = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
 * await server.close();
 * ```
 */
export function createNodeTransport(): Transport {
  return {
    name: "node",
    resolve: resolveAddress,
    listenStream: listenNetStream,
    connectStream: connectNetStream,
    async bind(address: Address, options: BindOptions = {}): Promise<DatagramSocket> {
      if (address.kind === "udp") return await bindUdp(address);
      let file: SocketFile | null = null;
      const { socket, file: made } = await bindUnixSafely(
        address,
        options,
        (path) => {
          const raw = new RawUnixSocket();
          try {
            raw.bind(path);
          } catch (error) {
            raw.close(address);
            throw osError((error as MidgramError).cause ?? error, "bind", address);
          }
          return Promise.resolve(raw);
        },
        (raw) => raw.close(address),
        unixIsLive,
      );
      file = made;
      return new NodeUnixSocket(address, socket, () => removeSocketFile(file!));
    },
    async connectable(peer: Address): Promise<DatagramSocket> {
      if (peer.kind === "udp") {
        const resolved = await resolveAddress(peer) as UdpAddress;
        return await bindUdp({ kind: "udp", host: clientHost(resolved.host), port: 0 });
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
