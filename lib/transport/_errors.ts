/**
 * Maps the operating-system errors of both runtimes (Node `err.code`
 * strings, unix-dgram's negative errno numbers, Deno's error classes) onto
 * midgram's error codes, with messages that name the socket and the likely cause.
 *
 * @module
 */
import { type ErrorCode, MidgramError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import type { AnyAddress } from "./types.ts";

const ERRNO: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  11: "EAGAIN",
  13: "EACCES",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  32: "EPIPE",
  36: "ENAMETOOLONG",
  88: "ENOTSOCK",
  90: "EMSGSIZE",
  91: "EPROTOTYPE",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
  104: "ECONNRESET",
  105: "ENOBUFS",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
};

const DENO_NAMES: Record<string, string> = {
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  PermissionDenied: "EACCES",
  NotCapable: "NOTCAPABLE",
  NotFound: "ENOENT",
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  BrokenPipe: "EPIPE",
  TimedOut: "ETIMEDOUT",
  BadResource: "EBADF",
  Interrupted: "EINTR",
};

/** The errno name of an error from either runtime, e.g. `EADDRINUSE`, or null. */
export function errnoName(error: unknown): string | null {
  if (typeof error === "number") return ERRNO[-error] ?? `errno ${-error}`;
  if (typeof error !== "object" || error === null) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  const name = (error as { name?: unknown }).name;
  if (typeof name === "string" && DENO_NAMES[name]) return DENO_NAMES[name];
  // Deno reports other OS errors only in the message: "… (os error 91)".
  const os = /\(os error (\d+)\)/.exec(String((error as { message?: unknown }).message));
  if (os) return ERRNO[Number(os[1])] ?? `errno ${os[1]}`;
  return null;
}

/** What was being done when the error happened. */
export type Operation = "bind" | "send" | "receive" | "connect" | "open";

function verb(op: Operation, target: string): string {
  return op === "bind"
    ? `Cannot bind "${target}"`
    : op === "send"
    ? `Cannot send to "${target}"`
    : op === "connect"
    ? `Cannot connect to "${target}"`
    : op === "open"
    ? `Cannot open "${target}"`
    : `Cannot receive on "${target}"`;
}

/**
 * Turns an OS error into a `MidgramError` naming the socket.
 *
 * @example
 * ```ts
 * import { osError } from "./_errors.ts";
 * osError(-111, "send", { kind: "unix", path: "/tmp/x.sock" }).message;
 * // 'Cannot send to "/tmp/x.sock": connection refused: nothing serves this socket (a stale socket file?)'
 * ```
 */
export function osError(error: unknown, op: Operation, address: AnyAddress): MidgramError {
  if (error instanceof MidgramError) return error;
  const errno = errnoName(error);
  const target = formatAddress(address);
  const unix = address.kind === "unix" || address.kind === "unix-stream";
  const outward = op === "send" || op === "connect" || op === "open";
  let code: ErrorCode = "transport";
  let detail: string;
  switch (errno) {
    case "EADDRINUSE":
      code = "address-in-use";
      detail = "address in use: is another server running?";
      break;
    case "EADDRNOTAVAIL":
      detail = "address not available: it is not an address of this machine";
      break;
    case "EACCES":
    case "EPERM":
      code = "permission-denied";
      detail = outward
        ? unix ? "permission denied: is the user in the socket's group?" : "permission denied"
        : unix
        ? "permission denied: can this user write to the socket's directory?"
        : "permission denied: ports below 1024 need privilege";
      break;
    case "NOTCAPABLE":
      code = "permission-denied";
      detail = "Deno permission missing: run with --allow-net --allow-read --allow-write";
      break;
    case "ENOENT":
    case "ENOTDIR":
      code = "not-found";
      detail = outward
        ? `no such ${
          address.kind === "fifo" ? "FIFO" : "socket"
        }: is the server running and is the path right?`
        : "no such directory";
      break;
    case "ECONNREFUSED":
      code = "connection-refused";
      detail = unix
        ? "connection refused: nothing serves this path (a stale socket file, or not a socket)"
        : "connection refused: nothing listens on this port";
      break;
    case "EPROTOTYPE":
      code = "not-a-socket";
      detail = address.kind === "unix-stream"
        ? "it is a datagram socket, not a stream socket"
        : "it is a stream socket, not a datagram socket";
      break;
    case "ENOTSOCK":
      code = "not-a-socket";
      detail = "not a socket";
      break;
    case "EISDIR":
      code = "not-a-socket";
      detail = "it is a directory";
      break;
    case "EMSGSIZE":
      detail = "message too large for the socket";
      break;
    case "ECONNRESET":
    case "EPIPE":
      code = "closed";
      detail = "the peer closed the connection";
      break;
    case "ENETUNREACH":
    case "EHOSTUNREACH":
      detail = "network unreachable";
      break;
    case "EBADF":
    case "EINTR":
      code = "closed";
      detail = "the socket is closed";
      break;
    case "ETIMEDOUT":
      code = "timeout";
      detail = "timed out";
      break;
    default: {
      const text = error instanceof Error ? error.message : String(error);
      detail = errno ? `${errno}: ${text}` : text;
    }
  }
  return new MidgramError(code, `${verb(op, target)}: ${detail}`, { cause: error });
}

/** The error a pending operation gets when its socket is closed. */
export function closedError(address: AnyAddress): MidgramError {
  return new MidgramError("closed", `Socket "${formatAddress(address)}" is closed`);
}

/** The error of a send that did not complete in time. */
export function sendTimeout(address: AnyAddress, ms: number): MidgramError {
  return new MidgramError(
    "timeout",
    `Cannot send to "${
      formatAddress(address)
    }": the socket stayed full for ${ms} ms (is the peer reading?)`,
  );
}

/** The error of a connection that was not made in time. */
export function connectTimeout(address: AnyAddress, ms: number): MidgramError {
  return new MidgramError(
    "timeout",
    `Cannot connect to "${formatAddress(address)}": no connection within ${ms} ms`,
  );
}

/** Why a socket file of the other type (stream or datagram) is never replaced. */
export function otherTypeThere(
  path: string,
  there: "stream" | "datagram" = "stream",
): MidgramError {
  return new MidgramError(
    "not-a-socket",
    `Cannot bind "${path}": a ${there} socket is there; refusing to replace it`,
  );
}
