/**
 * Maps the operating-system errors of both runtimes (Node `err.code`
 * strings, unix-dgram's negative errno numbers, Deno's error classes) onto
 * midgram's error codes, with messages that name the socket and the likely cause.
 *
 * @module
 */
import { lstatSync, statSync } from "node:fs";
import { nameOf } from "./names.ts";
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
 * import assert from "node:assert/strict";
 * import { osError } from "./_errors.ts";
 * assert.equal(
 *   osError(-111, "send", { kind: "unix", path: "/tmp/x.sock" }).message,
 *   'Cannot send to "/tmp/x.sock": connection refused: nothing serves this path (a stale socket file, or not a socket)',
 * );
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
        ? unix
          ? socketAccessHint((address as { path: string }).path) +
            // A stream socket has no reply socket: its mode is the whole story.
            (address.kind === "unix-stream"
              ? ` (Kamailio's ctl: modparam("ctl", "mode", 0660) and modparam("ctl", "group", "GROUP"))`
              : "")
          : "permission denied"
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
      if (unix && outward) {
        const other = notASocket((address as { path: string }).path);
        if (other) {
          code = "not-a-socket";
          detail = other;
          break;
        }
      }
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

/** The error of a send refused because the socket's backlog for full peers is used up. */
export function backlogFull(address: AnyAddress, bytes: number): MidgramError {
  return new MidgramError(
    "timeout",
    `Cannot send to "${formatAddress(address)}": its socket is full and ${bytes} bytes ` +
      "already wait for peers that do not read (dropped)",
  );
}

/** The error of a reply longer than the client takes. */
export function replyTooLarge(address: AnyAddress, max: number): MidgramError {
  return new MidgramError(
    "reply-too-large",
    `Reply from "${formatAddress(address)}" is over ${max} bytes`,
  );
}

/** The error of a FIFO that nobody reads (no server, or a client gone), with the OS error as cause. */
export function nobodyReads(path: string, cause?: unknown): MidgramError {
  return new MidgramError(
    "connection-refused",
    `Cannot open "fifo:${path}": nobody reads this FIFO: is the server running?`,
    cause === undefined ? undefined : { cause },
  );
}

/** The error of a FIFO exchange asked without the dialect's framing. */
export function noFifoFraming(path: string): MidgramError {
  return new MidgramError("usage", `Cannot send to "fifo:${path}": no FIFO framing given`);
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

/**
 * A socket at a path that cannot be proven dead (the probe was refused for
 * another reason than ECONNREFUSED): never replaced.
 */
export function unprovenSocketThere(path: string, errno: string): MidgramError {
  const why = errno === "EACCES" || errno === "EPERM"
    ? "this user may not write to it, so it cannot be told from a live server's"
    : `probing it failed with ${errno}`;
  return new MidgramError(
    errno === "EACCES" || errno === "EPERM" ? "permission-denied" : "address-in-use",
    `Cannot bind "${path}": a socket is there and ${why}; refusing to replace it (remove it if no server uses it)`,
  );
}

/**
 * Why this user may not write to a UNIX socket, naming the group that would
 * grant it, or saying that joining it would not help (as `doctor` does).
 */
export function socketAccessHint(path: string): string {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return "permission denied on the socket's directory";
  }
  const proc = (globalThis as { process?: { getgroups?: () => number[] } }).process;
  const group = nameOf("group", stat.gid);
  const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
  if ((stat.mode & 0o020) === 0) {
    return `permission denied: the socket (${
      nameOf("passwd", stat.uid)
    }:${group}, mode ${mode}) gives its group no write permission, so joining group ${group} would not help: set the server's socket mode (e.g. 0660)`;
  }
  if (proc?.getgroups?.().includes(stat.gid)) {
    return `permission denied on the socket's directory (the socket's group ${group} is yours)`;
  }
  return `permission denied: join group ${group} (the socket is ${
    nameOf("passwd", stat.uid)
  }:${group}, mode ${mode}), then log in again`;
}

/** What is at a path that refuses datagrams, when it is not a socket (a FIFO, a file, a directory). */
export function notASocket(path: string): string | null {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  if (stat.isSocket()) return null;
  if (stat.isFIFO()) {
    return "it is a FIFO, not a socket: the mi_fifo/jsonrpcs FIFO? write fifo:" + path;
  }
  if (stat.isDirectory()) return "it is a directory, not a socket";
  if (stat.isSymbolicLink()) return "it is a symbolic link to something that is not a socket";
  return "it is a regular file, not a socket";
}
