/**
 * The Deno adapter: `Deno.listenDatagram` with `transport: "udp"` and
 * `"unixpacket"` (a plain UNIX datagram socket). Needs `--unstable-net`.
 * Streams use `node:net`, which Deno serves for UNIX paths and TCP alike.
 * `Deno` is reached through a small local interface, so this file type-checks
 * without Deno's types and never loads on Node unless called.
 *
 * @module
 */
import { join } from "node:path";
import { MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { backlogFull, closedError, errnoName, osError, sendTimeout } from "./_errors.ts";
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
import { DatagramQueue, SendBacklog } from "./_queue.ts";
import { connectNetStream, listenNetStream } from "./_stream_net.ts";
import { requestTransports } from "./_requests.ts";
import {
  type Address,
  type BindOptions,
  type ConnectableOptions,
  type Datagram,
  type DatagramSocket,
  RECEIVE_BUFFER_SIZE,
  type SendOptions,
  type Transport,
  type UdpAddress,
  type UnixAddress,
} from "./types.ts";

interface DenoAddr {
  transport: string;
  hostname?: string;
  port?: number;
  path?: string | null;
}

interface DenoDatagramConn {
  readonly addr: DenoAddr;
  receive(buffer?: Uint8Array): Promise<[Uint8Array, DenoAddr]>;
  send(data: Uint8Array, address: DenoAddr): Promise<number>;
  close(): void;
}

interface DenoNamespace {
  listenDatagram(
    options: { transport: "udp"; hostname: string; port: number } | {
      transport: "unixpacket";
      path: string;
    },
  ): DenoDatagramConn;
}

function deno(): DenoNamespace {
  const ns = (globalThis as unknown as { Deno?: DenoNamespace }).Deno;
  if (!ns || typeof ns.listenDatagram !== "function") {
    throw new MidgramError(
      "transport",
      "Deno datagram sockets are not available: run deno with --unstable-net",
    );
  }
  return ns;
}

function toDeno(address: Address): DenoAddr {
  return address.kind === "unix"
    ? { transport: "unixpacket", path: address.path }
    : { transport: "udp", hostname: address.host, port: address.port };
}

function fromDeno(addr: DenoAddr): Address | null {
  if (addr.transport === "udp") return { kind: "udp", host: addr.hostname!, port: addr.port! };
  return addr.path ? { kind: "unix", path: addr.path } : null;
}

/** A send waiting for the pump. */
interface PendingSend {
  data: Uint8Array;
  to: DenoAddr;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A Deno datagram socket. Deno refuses to send on a UNIX socket while a
 * receive is pending on it ("Socket already in use"), yet replies must come
 * from the bound socket itself (kamcmd connects its datagram socket to the
 * server's path, so the kernel drops anything from elsewhere). So one pump
 * owns the socket: it receives into a queue, and a send wakes it with an
 * empty datagram from a private second socket (the self-pipe trick), goes
 * out while no receive is pending, then receiving resumes.
 */
class DenoSocket implements DatagramSocket {
  private readonly queue = new DatagramQueue();
  private readonly sends: PendingSend[] = [];
  private readonly backlog = new SendBacklog();
  private receiving = false;
  private pumping: Promise<void> | null = null;
  private closed = false;

  /**
   * @param waker UNIX only: a second socket, bound at `wakerPath`, whose
   *   empty datagrams wake the pump so that a send can go out.
   */
  readonly address: Address;
  private readonly conn: DenoDatagramConn;
  private readonly cleanup: () => Promise<void>;
  private readonly waker: { conn: DenoDatagramConn; path: string } | null;

  constructor(
    address: Address,
    conn: DenoDatagramConn,
    cleanup: () => Promise<void>,
    waker: { conn: DenoDatagramConn; path: string } | null = null,
  ) {
    this.address = address;
    this.conn = conn;
    this.cleanup = cleanup;
    this.waker = waker;
  }

  private startPump(): void {
    this.pumping ??= this.pump();
  }

  private async pump(): Promise<void> {
    const buffer = new Uint8Array(RECEIVE_BUFFER_SIZE);
    while (!this.closed) {
      // Sends go out while no receive is pending.
      while (this.sends.length > 0) {
        const send = this.sends.shift()!;
        try {
          await this.conn.send(send.data, send.to);
          send.resolve();
        } catch (error) {
          send.reject(error);
        }
      }
      let got: [Uint8Array, DenoAddr];
      try {
        this.receiving = true;
        got = await this.conn.receive(buffer);
      } catch (error) {
        const name = errnoName(error);
        this.queue.fail(
          this.closed || name === "EBADF" || name === "EINTR"
            ? closedError(this.address)
            : osError(error, "receive", this.address),
        );
        return;
      } finally {
        this.receiving = false;
      }
      const [data, from] = got;
      if (this.waker && from.path === this.waker.path) continue;
      this.queue.push({ data: data.slice(), from: fromDeno(from) });
    }
  }

  async send(data: Uint8Array, to: Address, options?: SendOptions): Promise<void> {
    if (this.closed) throw closedError(this.address);
    if (to.kind !== this.address.kind) {
      throw new MidgramError(
        "usage",
        `Cannot send to "${formatAddress(to)}" from "${formatAddress(this.address)}"`,
      );
    }
    const target = toDeno(await resolveAddress(to));
    const timeoutMs = options?.timeoutMs ?? 2000;
    // Every send waits in the pump's queue or in Deno: bounded in bytes, so
    // clients that never read their replies cannot make it grow.
    if (!this.backlog.reserve(data.length)) throw backlogFull(to, this.backlog.bytes);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let turn: Promise<unknown>;
    let queued: PendingSend | undefined;
    try {
      if (this.waker) {
        turn = new Promise<void>((resolve, reject) => {
          queued = { data, to: target, resolve, reject };
          this.sends.push(queued);
        });
        this.startPump();
        if (this.receiving) {
          await this.waker.conn.send(new Uint8Array(0), {
            transport: "unixpacket",
            path: (this.address as { path: string }).path,
          }).catch(() => {});
        }
      } else {
        turn = this.conn.send(data, target);
      }
      await Promise.race([
        turn,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(sendTimeout(to, timeoutMs)), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw error instanceof MidgramError ? error : osError(error, "send", to);
    } finally {
      clearTimeout(timer);
      // A send that timed out before its turn is not sent late.
      const at = queued ? this.sends.indexOf(queued) : -1;
      if (at >= 0) this.sends.splice(at, 1);
      this.backlog.release(data.length);
    }
  }

  receive(signal?: AbortSignal): Promise<Datagram> {
    if (this.closed) return Promise.reject(closedError(this.address));
    this.startPump();
    return this.queue.next(signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of [this.conn, this.waker?.conn]) {
      try {
        conn?.close();
      } catch {
        // Already closed.
      }
    }
    this.queue.fail(closedError(this.address));
    for (const send of this.sends.splice(0)) send.reject(closedError(this.address));
    await this.pumping;
    await this.cleanup();
  }
}

function listen(address: Address, bindPath?: string): DenoDatagramConn {
  try {
    return address.kind === "unix"
      ? deno().listenDatagram({ transport: "unixpacket", path: bindPath ?? address.path })
      : deno().listenDatagram({ transport: "udp", hostname: address.host, port: address.port });
  } catch (error) {
    throw error instanceof MidgramError ? error : osError(error, "bind", address);
  }
}

async function unixIsLive(path: string): Promise<boolean> {
  const { dir, path: probePath } = await clientSocketDir();
  try {
    const probe = deno().listenDatagram({ transport: "unixpacket", path: probePath });
    try {
      await probe.send(new Uint8Array(0), { transport: "unixpacket", path });
      return true;
    } catch (error) {
      const name = errnoName(error);
      return probeProvesLive(path, name ?? "unknown", name ?? String(error));
    } finally {
      probe.close();
    }
  } finally {
    await removeDir(dir);
  }
}

/**
 * The transport for Deno (run with `--unstable-net`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDenoTransport } from "./deno.ts";
 * const transport = createDenoTransport();
 * const server = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
 * assert.ok(server.address.kind === "udp" && server.address.port > 0);
 * await server.close();
 * ```
 */
export function createDenoTransport(): Transport {
  return {
    name: "deno",
    resolve: resolveAddress,
    listenStream: listenNetStream,
    connectStream: connectNetStream,
    ...requestTransports,
    async bind(address: Address, options: BindOptions = {}): Promise<DatagramSocket> {
      if (address.kind === "udp") {
        const resolved = await resolveAddress(address) as UdpAddress;
        const conn = listen(resolved);
        const local = fromDeno(conn.addr) as UdpAddress;
        return new DenoSocket(local, conn, () => Promise.resolve());
      }
      const { socket, file } = await bindUnixSafely(
        address,
        options,
        (path) => Promise.resolve(listen(address, path)),
        (conn) => conn.close(),
        unixIsLive,
      );
      return await withWaker(address, socket, file);
    },
    async connectable(peer: Address, options: ConnectableOptions = {}): Promise<DatagramSocket> {
      if (peer.kind === "unix" && options.path !== undefined) {
        const address: UnixAddress = { kind: "unix", path: options.path };
        const { socket, file } = await bindReplySocketAt(
          address,
          peer,
          (path) => listen(address, path),
          (conn) => conn.close(),
          unixIsLive,
        );
        return await withWaker(address, socket, file);
      }
      if (peer.kind === "udp") {
        const resolved = await resolveAddress(peer) as UdpAddress;
        const conn = listen({ kind: "udp", host: clientHost(resolved.host), port: 0 });
        return new DenoSocket(fromDeno(conn.addr)!, conn, () => Promise.resolve());
      }
      const access = await planReplyAccess(peer);
      const { dir, path } = await clientSocketDir();
      let conn: DenoDatagramConn;
      let waker: DenoDatagramConn;
      const wakerPath = join(dir, "wake.sock");
      try {
        conn = listen({ kind: "unix", path });
        waker = listen({ kind: "unix", path: wakerPath });
      } catch (error) {
        await removeDir(dir);
        throw error;
      }
      try {
        await openReplySocket(dir, path, access);
      } catch (error) {
        conn.close();
        waker.close();
        await removeDir(dir);
        throw error;
      }
      return new DenoSocket(
        { kind: "unix", path },
        conn,
        () => removeDir(dir),
        { conn: waker, path: wakerPath },
      );
    },
  };
}

/**
 * A socket bound at a UNIX path of its own, with its waker (which only
 * sends, from a private directory removed at once).
 */
async function withWaker(
  address: UnixAddress,
  socket: DenoDatagramConn,
  file: SocketFile,
): Promise<DatagramSocket> {
  const { dir, path } = await clientSocketDir();
  let waker: DenoDatagramConn;
  try {
    waker = listen({ kind: "unix", path });
  } catch (error) {
    socket.close();
    await removeSocketFile(file);
    await removeDir(dir);
    throw error;
  }
  // The waker only sends: its file can go at once (datagrams from it still
  // carry its path), so even a server killed without close() leaves nothing.
  await removeDir(dir);
  return new DenoSocket(address, socket, () => removeSocketFile(file), { conn: waker, path });
}
