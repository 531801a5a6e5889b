/**
 * The one connection a kamcmd session holds, as kamcmd holds it: opened
 * once (a stream connected, a datagram reply socket bound), used for every
 * command, closed at the end. Failures are {@linkcode KamcmdFailure}s that
 * carry kamcmd's own stderr line and midgram's exit status.
 *
 * @module
 */
import { EXIT, MidgramError } from "../../lib/errors.ts";
import { BinRpcSyntaxError } from "../../lib/protocol/binrpc/binrpc_syntax_error.ts";
import { frame } from "../../lib/protocol/binrpc/frame.ts";
import { sameAddress } from "../../lib/transport/address.ts";
import { FrameReader } from "../../lib/transport/read_frames.ts";
import type { Address, DatagramSocket, Transport } from "../../lib/transport/types.ts";
import { KAMCMD_DEFAULT_PORT, type KamcmdAddress } from "./_kamcmd_address.ts";

/** A failure kamcmd reports on stderr, with midgram's exit status for it. */
export class KamcmdFailure extends Error {
  readonly stderr: string;
  readonly exit: number;

  constructor(stderr: string, exit: number) {
    super(stderr.trimEnd());
    this.stderr = stderr;
    this.exit = exit;
    this.name = "KamcmdFailure";
  }
}

/** How to open the link: kamcmd's `-R`, `-D` and midgram's time limit. */
export interface LinkOptions {
  transport: Transport;
  /** `-R`: the reply socket path (UNIX datagram only). */
  replySocket?: string;
  /** `-D`: the directory of the reply socket (UNIX datagram only). */
  socketDir?: string;
  /** How long to wait for a connection or a reply. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One exchange: the reply packet, its pieces as read (for `-vvv`). */
export interface LinkReply {
  packet: Uint8Array;
  reads: Uint8Array[];
}

/** The open link. */
export interface KamcmdLink {
  /** Sends a request packet and reads the whole reply packet. */
  exchange(request: Uint8Array): Promise<LinkReply>;
  close(): Promise<void>;
}

/** The stream half of a transport (UNIX stream and TCP), present once the runtime has it. */
interface StreamConnection {
  read(signal?: AbortSignal): Promise<Uint8Array | null>;
  write(data: Uint8Array, options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}
type StreamTarget = { kind: "unix-stream"; path: string } | {
  kind: "tcp";
  host: string;
  port: number;
};
interface StreamTransport {
  connectStream(
    address: StreamTarget,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<StreamConnection>;
}

/** strerror() text and errno of Linux for the errors a socket can give. */
const ERRNO: Record<string, [string, number]> = {
  "not-found": ["No such file or directory", 2],
  "permission-denied": ["Permission denied", 13],
  "connection-refused": ["Connection refused", 111],
  "address-in-use": ["Address already in use", 98],
  "not-a-socket": ["Protocol wrong type for socket", 91],
  "timeout": ["Connection timed out", 110],
  "closed": ["Bad file descriptor", 9],
};

function errnoOf(error: unknown): [string, number] {
  const code = error instanceof MidgramError ? error.code : "transport";
  if (code === "not-a-socket" && !/stream socket/.test((error as Error).message)) {
    return ["Connection refused", 111];
  }
  return ERRNO[code] ?? [(error as Error)?.message ?? String(error), 5];
}

function exitOf(error: unknown): number {
  if (error instanceof MidgramError) {
    return error.exitCode === EXIT.usage ? EXIT.transport : error.exitCode;
  }
  return EXIT.transport;
}

/** kamcmd's `ERROR: read reply failed: …` for an error while waiting. */
function readFailure(error: unknown, timeoutMs: number): KamcmdFailure {
  if (error instanceof MidgramError && error.code === "timeout") {
    return new KamcmdFailure(
      `ERROR: read reply failed: no reply within ${timeoutMs} ms (MIDGRAM_TIMEOUT)\n`,
      EXIT.timeout,
    );
  }
  const [text, errno] = errnoOf(error);
  return new KamcmdFailure(`ERROR: read reply failed: ${text} (${errno})\n`, exitOf(error));
}

/**
 * Stopped by a signal (`options.signal` aborted with the signal's number):
 * no message, as kamcmd killed by it prints none, and 128+N.
 */
function interrupted(signal: AbortSignal): KamcmdFailure {
  const reason = signal.reason;
  return new KamcmdFailure("", EXIT.signal + (typeof reason === "number" ? reason : 2));
}

/**
 * An abort controller for one wait: aborted when the time limit runs out or
 * when the session's signal is; `done()` clears the timer and the listener.
 */
function waitLimit(options: LinkOptions): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const outer = options.signal;
  const onAbort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}

/** kamcmd's `connect_unix_sock` message. */
function unixConnectFailure(name: string, error: unknown): KamcmdFailure {
  const [text, errno] = errnoOf(error);
  return new KamcmdFailure(
    `ERROR: connect_unix_sock: connect(${name}): ${text} [${errno}]\n`,
    exitOf(error),
  );
}

function streamTransport(transport: Transport): StreamTransport {
  const t = transport as unknown as Partial<StreamTransport>;
  if (typeof t.connectStream !== "function") {
    throw new KamcmdFailure(
      "ERROR: this midgram cannot open UNIX stream or TCP sockets yet: use unixd: or udp:\n",
      EXIT.usage,
    );
  }
  return t as StreamTransport;
}

function streamLink(connection: StreamConnection, options: LinkOptions): KamcmdLink {
  let reads: Uint8Array[] = [];
  // No limit of binrpc's own on replies: the one stream reader's (MAX_FRAME).
  const reader = new FrameReader(
    connection,
    (buffer, maxPacket) => frame(buffer, { code: "reply-syntax", maxPacket }),
    { tooLargeCode: "reply-too-large", cutCode: "truncated-reply", onRead: (c) => reads.push(c) },
  );
  return {
    async exchange(request) {
      if (options.signal?.aborted) throw interrupted(options.signal);
      try {
        await connection.write(request, { timeoutMs: options.timeoutMs });
      } catch (error) {
        if (options.signal?.aborted) throw interrupted(options.signal);
        const [text, errno] = errnoOf(error);
        throw new KamcmdFailure(`ERROR: send packet failed: ${text} (${errno})\n`, exitOf(error));
      }
      reads = [];
      const limit = waitLimit(options);
      try {
        const packet = await reader.next(limit.signal);
        // The server closed the connection: read() returned 0 and errno says nothing.
        if (packet === null) {
          if (options.signal?.aborted) throw interrupted(options.signal);
          throw new KamcmdFailure("ERROR: read reply failed: Success (0)\n", EXIT.transport);
        }
        return { packet: packet.slice(), reads };
      } catch (error) {
        if (error instanceof KamcmdFailure) throw error;
        if (options.signal?.aborted) throw interrupted(options.signal);
        if (limit.signal.aborted) {
          throw readFailure(new MidgramError("timeout", "no reply"), options.timeoutMs);
        }
        // A header that is not binrpc, a packet over the limit, or the end
        // inside a packet: hand the bytes over, the caller reports them.
        const code = (error as { code?: string }).code;
        if (
          error instanceof BinRpcSyntaxError || code === "reply-too-large" ||
          (code === "truncated-reply" && reader.buffered.length > 0)
        ) {
          return { packet: reader.take(), reads };
        }
        throw readFailure(error, options.timeoutMs);
      } finally {
        limit.done();
      }
    },
    close: () => connection.close(),
  };
}

function datagramLink(
  socket: DatagramSocket,
  target: Address,
  options: LinkOptions,
  onSendError: (error: unknown) => KamcmdFailure,
): KamcmdLink {
  return {
    async exchange(request) {
      if (options.signal?.aborted) throw interrupted(options.signal);
      try {
        await socket.send(request, target, { timeoutMs: options.timeoutMs });
      } catch (error) {
        if (options.signal?.aborted) throw interrupted(options.signal);
        throw onSendError(error);
      }
      const limit = waitLimit(options);
      try {
        while (true) {
          let datagram;
          try {
            datagram = await socket.receive(limit.signal);
          } catch (error) {
            if (options.signal?.aborted) throw interrupted(options.signal);
            if (limit.signal.aborted) {
              throw readFailure(new MidgramError("timeout", "no reply"), options.timeoutMs);
            }
            throw readFailure(error, options.timeoutMs);
          }
          // A connected UDP socket hears only its peer.
          if (
            target.kind === "udp" && (datagram.from === null || !sameAddress(datagram.from, target))
          ) {
            continue;
          }
          return { packet: datagram.data, reads: [datagram.data] };
        }
      } finally {
        limit.done();
      }
    },
    close: () => socket.close(),
  };
}

/** kamcmd's `rand()`: a non-negative 31-bit number. */
export function kamcmdRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] >>> 1;
}

/**
 * Opens the link to a server as kamcmd does at start: a UNIX stream or TCP
 * connection, or a datagram socket (UNIX: bound at `-R`, in `-D`, or in a
 * private directory; UDP: an ephemeral port). Throws {@linkcode KamcmdFailure}
 * with kamcmd's message.
 */
export async function openKamcmdLink(
  address: KamcmdAddress,
  options: LinkOptions,
): Promise<KamcmdLink> {
  const { transport } = options;
  const port = address.port === 0 ? KAMCMD_DEFAULT_PORT : address.port;
  switch (address.proto) {
    case "udp":
    case "tcp": {
      let resolved: Address;
      try {
        resolved = await transport.resolve({ kind: "udp", host: address.name, port });
        if (address.name === "*" || address.name === "") throw new Error("no host");
      } catch {
        throw new KamcmdFailure(`ERROR: could not resolve ${address.name}\n`, EXIT.transport);
      }
      const host = (resolved as { host: string }).host;
      if (address.proto === "tcp") {
        const streams = streamTransport(transport);
        try {
          const connection = await streams.connectStream({ kind: "tcp", host, port }, {
            timeoutMs: options.timeoutMs,
            signal: options.signal,
          });
          return streamLink(connection, options);
        } catch (error) {
          if (options.signal?.aborted) throw interrupted(options.signal);
          if (error instanceof MidgramError && error.code === "timeout") {
            throw new KamcmdFailure(
              `ERROR: connect: no answer within ${options.timeoutMs} ms (MIDGRAM_TIMEOUT)\n`,
              EXIT.timeout,
            );
          }
          throw new KamcmdFailure(`ERROR: connect: ${errnoOf(error)[0]}\n`, exitOf(error));
        }
      }
      const target: Address = { kind: "udp", host, port };
      const socket = await transport.connectable(target);
      return datagramLink(socket, target, options, (error) => {
        const [text, errno] = errnoOf(error);
        return new KamcmdFailure(`ERROR: send packet failed: ${text} (${errno})\n`, exitOf(error));
      });
    }
    case "unixs":
    case "unixd": {
      const bytes = new TextEncoder().encode(address.name).length;
      if (bytes > 104) {
        throw new KamcmdFailure(
          `ERROR: connect_unix_sock: name too long (${bytes} > 104): ${address.name}\n`,
          EXIT.usage,
        );
      }
      if (address.proto === "unixs") {
        const streams = streamTransport(transport);
        try {
          const connection = await streams.connectStream(
            { kind: "unix-stream", path: address.name },
            { timeoutMs: options.timeoutMs, signal: options.signal },
          );
          return streamLink(connection, options);
        } catch (error) {
          if (options.signal?.aborted) throw interrupted(options.signal);
          throw unixConnectFailure(address.name, error);
        }
      }
      const target: Address = { kind: "unix", path: address.name };
      let socket: DatagramSocket;
      const path = options.replySocket ??
        (options.socketDir !== undefined ? `${options.socketDir}/kamcmd_${kamcmdRandom()}` : null);
      try {
        socket = path === null
          ? await transport.connectable(target)
          : await transport.bind({ kind: "unix", path }, { mode: 0o600 });
      } catch (error) {
        const [text, errno] = errnoOf(error);
        throw new KamcmdFailure(
          `ERROR: could not bind the unix socket to ${
            path ?? "a private directory"
          }: ${text} (${errno})\n`,
          exitOf(error),
        );
      }
      // kamcmd connects before it sends: what a send finds wrong is a connect failure.
      return datagramLink(
        socket,
        target,
        options,
        (error) =>
          error instanceof MidgramError && error.code === "timeout"
            ? readFailure(error, options.timeoutMs)
            : unixConnectFailure(address.name, error),
      );
    }
  }
}
