/**
 * The one connection a kamcmd session holds, as kamcmd holds it: the
 * client's {@linkcode openSession} connected once at start (a stream
 * connected, a datagram reply socket bound, at `-R` or in `-D`), used for
 * every command, the first reply taken as the answer, closed at the end.
 * What is kamcmd's own is here: how it resolves its address, and the lines
 * it prints on stderr when something fails, as {@linkcode KamcmdFailure}s.
 *
 * @module
 */
import { type CallReply, openSession } from "../../lib/client/call.ts";
import { type ErrorCode, MidgramError } from "../../lib/errors.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import type { AnyAddress, Transport } from "../../lib/transport/types.ts";
import { KAMCMD_DEFAULT_PORT, type KamcmdAddress } from "./_kamcmd_address.ts";

/**
 * A failure kamcmd reports: its line on stderr (`stderr`, empty when a
 * signal stopped it, as kamcmd killed by one prints nothing) and the code,
 * whose exit status midgram gives it.
 */
export class KamcmdFailure extends MidgramError {
  /** What kamcmd prints on stderr for it, byte for byte. */
  readonly stderr: string;

  constructor(code: ErrorCode, stderr: string, options?: { cause?: unknown }) {
    super(code, stderr.trimEnd(), options);
    this.name = "KamcmdFailure";
    this.stderr = stderr;
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
  /** The reply's bytes; what was read when they make no whole packet. */
  packet: Uint8Array;
  /** The pieces as the socket gave them. */
  reads: Uint8Array[];
  /** The reply carries another cookie than the request's. */
  foreign: boolean;
  /** What the reply says, as the client reads it; `null` when it cannot be read or is foreign. */
  outcome: CallReply["outcome"];
}

/** The open link. */
export interface KamcmdLink {
  /** Sends a request packet and reads the whole reply packet. */
  exchange(request: Uint8Array): Promise<LinkReply>;
  close(): Promise<void>;
}

/** strerror() text and errno of Linux for the errors a socket can give. */
const ERRNO: Partial<Record<ErrorCode, [string, number]>> = {
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

/** The code a failure of `error` carries: its own (a usage error of a socket is the transport's). */
function codeOf(error: unknown): ErrorCode {
  if (!(error instanceof MidgramError) || error.code === "usage") return "transport";
  return error.code;
}

const isTimeout = (error: unknown) => error instanceof MidgramError && error.code === "timeout";

/** kamcmd's `ERROR: read reply failed: …` for an error while waiting. */
function readFailure(error: unknown, timeoutMs: number): KamcmdFailure {
  if (isTimeout(error)) {
    return new KamcmdFailure(
      "timeout",
      `ERROR: read reply failed: no reply within ${timeoutMs} ms (MIDGRAM_TIMEOUT)\n`,
      { cause: error },
    );
  }
  // The server closed before a whole reply: kamcmd's read() returned 0, and errno says nothing.
  const [text, errno] = codeOf(error) === "truncated-reply" ? ["Success", 0] : errnoOf(error);
  return new KamcmdFailure(codeOf(error), `ERROR: read reply failed: ${text} (${errno})\n`, {
    cause: error,
  });
}

/** kamcmd's `ERROR: send packet failed: …`. */
function sendFailure(error: unknown): KamcmdFailure {
  const [text, errno] = errnoOf(error);
  return new KamcmdFailure(codeOf(error), `ERROR: send packet failed: ${text} (${errno})\n`, {
    cause: error,
  });
}

/** kamcmd's `connect_unix_sock` message. */
function unixConnectFailure(name: string, error: unknown): KamcmdFailure {
  const [text, errno] = errnoOf(error);
  return new KamcmdFailure(
    codeOf(error),
    `ERROR: connect_unix_sock: connect(${name}): ${text} [${errno}]\n`,
    { cause: error },
  );
}

/** kamcmd's message when it cannot connect (or bind its reply socket) at start. */
function connectFailure(
  address: KamcmdAddress,
  replyPath: string | null,
  error: unknown,
  timeoutMs: number,
): KamcmdFailure {
  switch (address.proto) {
    case "unixs":
      return unixConnectFailure(address.name, error);
    case "unixd": {
      // bind() finds anything at the path in use, a file or a live socket alike.
      const taken = ["address-in-use", "not-a-socket", "unsafe-path"].includes(codeOf(error));
      const [text, errno] = taken ? ["Address already in use", 98] : errnoOf(error);
      return new KamcmdFailure(
        codeOf(error),
        `ERROR: could not bind the unix socket to ${
          replyPath ?? "a private directory"
        }: ${text} (${errno})\n`,
        { cause: error },
      );
    }
    default:
      return isTimeout(error)
        ? new KamcmdFailure(
          "timeout",
          `ERROR: connect: no answer within ${timeoutMs} ms (MIDGRAM_TIMEOUT)\n`,
          { cause: error },
        )
        : new KamcmdFailure(codeOf(error), `ERROR: connect: ${errnoOf(error)[0]}\n`, {
          cause: error,
        });
  }
}

/**
 * What a failed exchange prints: a failure before the request was sent
 * whole is the send's (over a UNIX datagram socket, which kamcmd connects
 * before it sends, the connect's), one after it the read's.
 */
function exchangeFailure(
  address: KamcmdAddress,
  sent: boolean,
  error: unknown,
  timeoutMs: number,
): KamcmdFailure {
  if (sent || (address.proto === "unixd" && isTimeout(error))) {
    return readFailure(error, timeoutMs);
  }
  return address.proto === "unixd" ? unixConnectFailure(address.name, error) : sendFailure(error);
}

/** kamcmd's `rand()`: a non-negative 31-bit number. */
export function kamcmdRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] >>> 1;
}

/** Where kamcmd's address leads, resolved as kamcmd resolves it. */
async function targetOf(address: KamcmdAddress, transport: Transport): Promise<AnyAddress> {
  const port = address.port === 0 ? KAMCMD_DEFAULT_PORT : address.port;
  switch (address.proto) {
    case "udp":
    case "tcp": {
      let host: string;
      try {
        if (address.name === "*" || address.name === "") throw new Error("no host");
        host = (await transport.resolve({ kind: "udp", host: address.name, port })).host;
      } catch (error) {
        throw new KamcmdFailure("transport", `ERROR: could not resolve ${address.name}\n`, {
          cause: error,
        });
      }
      return { kind: address.proto, host, port };
    }
    case "unixs":
    case "unixd": {
      const bytes = new TextEncoder().encode(address.name).length;
      if (bytes > 104) {
        throw new KamcmdFailure(
          "usage",
          `ERROR: connect_unix_sock: name too long (${bytes} > 104): ${address.name}\n`,
        );
      }
      return address.proto === "unixs"
        ? { kind: "unix-stream", path: address.name }
        : { kind: "unix", path: address.name };
    }
  }
}

/**
 * Opens the link to a server as kamcmd does at start: a UNIX stream or TCP
 * connection, or a datagram socket (UNIX: bound at `-R`, in `-D`, or in a
 * private directory; UDP: an ephemeral port).
 *
 * @throws {KamcmdFailure} with kamcmd's message; every later exchange too.
 */
export async function openKamcmdLink(
  address: KamcmdAddress,
  options: LinkOptions,
): Promise<KamcmdLink> {
  const { signal, timeoutMs } = options;
  const target = await targetOf(address, options.transport);
  const replyPath = address.proto !== "unixd" ? null : options.replySocket ??
    (options.socketDir !== undefined ? `${options.socketDir}/kamcmd_${kamcmdRandom()}` : null);
  /** Stopped by a signal: nothing printed, as kamcmd killed by it prints nothing. */
  const stopped = (error: unknown) => new KamcmdFailure("closed", "", { cause: error });
  let step = { sent: false, reads: [] as Uint8Array[] };
  const session = openSession(target, {
    transport: options.transport,
    codec: clientCodec("binrpc"),
    timeoutMs,
    signal,
    replySocket: replyPath ?? undefined,
    connectOnce: true,
    firstReply: true,
    trace: (event) => {
      if (event.kind === "sent") step.sent = true;
      else step.reads.push(event.chunk);
    },
  });
  try {
    await session.open();
  } catch (error) {
    await session.close();
    throw signal?.aborted ? stopped(error) : connectFailure(address, replyPath, error, timeoutMs);
  }
  return {
    async exchange(request) {
      const current = step = { sent: false, reads: [] };
      let reply;
      try {
        reply = await session.call(request);
      } catch (error) {
        if (signal?.aborted) throw stopped(error);
        throw exchangeFailure(address, current.sent, error, timeoutMs);
      }
      // An empty datagram: kamcmd's read() returned 0.
      if (reply.bytes.length === 0) {
        throw readFailure(new MidgramError("truncated-reply", "Empty reply"), timeoutMs);
      }
      return {
        packet: reply.bytes,
        reads: current.reads,
        foreign: reply.foreign === true,
        outcome: reply.outcome,
      };
    },
    close: () => session.close(),
  };
}
