/**
 * The Deno adapter: `Deno.listenDatagram` with `transport: "udp"` and
 * `"unixpacket"` (a plain UNIX datagram socket). Needs `--unstable-net`.
 * Streams use `node:net`, which Deno serves for UNIX paths and TCP alike.
 * `Deno` is reached through a small local interface, so this file type-checks
 * without Deno's types and never loads on Node unless called.
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { closedError, errnoName, osError, otherTypeThere, sendTimeout } from "./_errors.ts";
import {
  bindUnixSafely,
  clientHost,
  clientSocketDir,
  openReplySocket,
  planReplyAccess,
  removeDir,
  removeSocketFile,
} from "./_unix_path.ts";
import { resolveAddress } from "./resolve_address.ts";
import { connectNetStream, listenNetStream } from "./_stream_net.ts";
import {
  type Address,
  type BindOptions,
  type Datagram,
  type DatagramSocket,
  RECEIVE_BUFFER_SIZE,
  type SendOptions,
  type Transport,
  type UdpAddress,
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

class DenoSocket implements DatagramSocket {
  private pending: Promise<Datagram> | null = null;
  private closed = false;
  /** Sends one at a time: a Deno socket refuses overlapping operations ("Socket already in use"). */
  private sending: Promise<unknown> = Promise.resolve();

  /**
   * @param sender A second socket for sending, where the runtime cannot send on a
   *   socket while a receive is pending on it (UNIX): replies then come from
   *   another path, as the real servers' replies come from an unnamed socket.
   */
  constructor(
    readonly address: Address,
    private readonly conn: DenoDatagramConn,
    private readonly cleanup: () => Promise<void>,
    private readonly sender: DenoDatagramConn = conn,
  ) {}

  async send(data: Uint8Array, to: Address, options?: SendOptions): Promise<void> {
    if (this.closed) throw closedError(this.address);
    if (to.kind !== this.address.kind) {
      throw new MidgramError(
        "usage",
        `Cannot send to "${formatAddress(to)}" from "${formatAddress(this.address)}"`,
      );
    }
    const target = await resolveAddress(to);
    const timeoutMs = options?.timeoutMs ?? 2000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const turn = this.sending.then(() => this.sender.send(data, toDeno(target)));
    this.sending = turn.catch(() => {});
    try {
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
    }
  }

  receive(signal?: AbortSignal): Promise<Datagram> {
    if (this.closed) return Promise.reject(closedError(this.address));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.pending) {
      this.pending = this.conn.receive(new Uint8Array(RECEIVE_BUFFER_SIZE)).then(
        ([data, from]) => {
          this.pending = null;
          return { data: data.slice(), from: fromDeno(from) };
        },
        (error) => {
          this.pending = null;
          const name = errnoName(error);
          throw this.closed || name === "EBADF" || name === "EINTR"
            ? closedError(this.address)
            : osError(error, "receive", this.address);
        },
      );
    }
    const pending = this.pending;
    if (!signal) return pending;
    // On abort the Deno receive stays in flight; its datagram goes to the next call.
    return new Promise<Datagram>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      pending.then(
        (d) => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted) {
            // Keep the datagram for the next receive().
            this.pending = Promise.resolve(d);
            return;
          }
          resolve(d);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of new Set([this.conn, this.sender])) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
    // Let a pending receive settle (it rejects with "closed").
    this.pending?.catch(() => {});
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
      if (errnoName(error) === "EPROTOTYPE") throw otherTypeThere(path);
      return false;
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
 * import { createDenoTransport } from "./deno.ts";
 * const transport = createDenoTransport();
 * const server = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
 * await server.close();
 * ```
 */
export function createDenoTransport(): Transport {
  return {
    name: "deno",
    resolve: resolveAddress,
    listenStream: listenNetStream,
    connectStream: connectNetStream,
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
      const { dir, path } = await clientSocketDir();
      let sender: DenoDatagramConn;
      try {
        sender = listen({ kind: "unix", path });
      } catch (error) {
        socket.close();
        await removeSocketFile(file);
        await removeDir(dir);
        throw error;
      }
      return new DenoSocket(address, socket, async () => {
        await removeSocketFile(file);
        await removeDir(dir);
      }, sender);
    },
    async connectable(peer: Address): Promise<DatagramSocket> {
      if (peer.kind === "udp") {
        const resolved = await resolveAddress(peer) as UdpAddress;
        const conn = listen({ kind: "udp", host: clientHost(resolved.host), port: 0 });
        return new DenoSocket(fromDeno(conn.addr)!, conn, () => Promise.resolve());
      }
      const access = await planReplyAccess(peer);
      const { dir, path } = await clientSocketDir();
      let conn: DenoDatagramConn;
      try {
        conn = listen({ kind: "unix", path });
      } catch (error) {
        await removeDir(dir);
        throw error;
      }
      try {
        await openReplySocket(dir, path, access);
      } catch (error) {
        conn.close();
        await removeDir(dir);
        throw error;
      }
      return new DenoSocket({ kind: "unix", path }, conn, () => removeDir(dir));
    },
  };
}
