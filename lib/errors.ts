/**
 * The one error family of midgram, its codes, and the table that maps each
 * code to each dialect's error (for the server) and an exit status (for the CLI).
 *
 * Programmer mistakes (a wrong type passed to an API) are plain `TypeError`s;
 * everything a user, a peer or the operating system can cause is a
 * {@linkcode MidgramError} with a code from {@linkcode ErrorCode}. A few
 * subclasses carry more: a parse error's position (`RequestSyntaxError`,
 * `BinRpcSyntaxError`), a handler's own error reply (`RpcError`,
 * `MiReplyError`), the signal that stopped a command ({@linkcode Interrupted}).
 * Each is a `MidgramError`, so {@linkcode errorCodeOf} and
 * {@linkcode exitCodeOf} read every one of them through the one table.
 *
 * @module
 */

/** What went wrong, as a stable string. */
export type ErrorCode =
  /** Bad command-line or API input: unknown option, bad duration or address. */
  | "usage"
  /** A configuration file is wrong (the message names file, line and key). */
  | "config"
  /** A request does not parse; see `RequestSyntaxError` for the position. */
  | "request-syntax"
  /** A request is larger than the dialect's limit. */
  | "request-too-large"
  /** A request that reads but is not a valid request of its dialect (a JSON-RPC envelope). */
  | "invalid-request"
  /** A reply is larger than the dialect's limit. */
  | "reply-too-large"
  /** A value that the protocol cannot carry (a name with `::`, …). */
  | "unrepresentable"
  /** A reply that does not follow the dialect's reply layout. */
  | "reply-syntax"
  /** No reply, or no send, within the time limit. */
  | "timeout"
  /** The socket address is already taken by another socket or server. */
  | "address-in-use"
  /** The operating system refused access to the socket or its directory. */
  | "permission-denied"
  /** No socket at that path, or no such host. */
  | "not-found"
  /** Refused by a policy before anything is sent: a write method not allowed, too many calls a second. */
  | "refused"
  /** Nothing listens at that address. */
  | "connection-refused"
  /** The path exists but is not a socket of the right kind (a file, a FIFO, a stream socket). */
  | "not-a-socket"
  /** The socket path is a symbolic link or has more than one hard link. */
  | "unsafe-path"
  /** Any other operating-system error on a socket. */
  | "transport"
  /** The socket was closed while an operation was pending. */
  | "closed"
  /** A reply that was cut: it fills the size limit or lacks its end. */
  | "truncated-reply"
  /** The server answered with an error: an MI error code, a JSON-RPC error object, a binrpc fault. */
  | "error-reply"
  /** No such method (command) on the server. */
  | "method-not-found"
  /** The parameters do not fit the method. */
  | "invalid-params"
  /** A command handler failed or returned something unusable. */
  | "handler"
  /** Stopped by a signal (SIGINT, SIGTERM): exit 128+N; see {@linkcode Interrupted}. */
  | "interrupted"
  /** A bug of ours. */
  | "internal";

/** How each error code is reported on the wire and on the command line. */
export interface ErrorDisposition {
  /** The MI reply code when the server reports this error to a client. */
  mi: 400 | 500;
  /** The JSON-RPC error code when the server reports it (OpenSIPS 3's codes). */
  jsonrpc: number;
  /** The binrpc fault code when the server reports it (Kamailio `ctl`'s codes). */
  binrpc: number;
  /** The exit status when the CLI stops on this error (see {@linkcode EXIT_STATUSES}). */
  exit: number;
}

/**
 * The one table that maps error codes to each dialect's error (MI 400: the
 * caller's fault, 500: ours; JSON-RPC codes; binrpc fault codes) and to exit
 * statuses. The server, the client and the CLI all read it.
 */
export const ERROR_DISPOSITIONS: Readonly<Record<ErrorCode, ErrorDisposition>> = {
  "usage": { mi: 400, jsonrpc: -32602, binrpc: 400, exit: 2 },
  "config": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 2 },
  "request-syntax": { mi: 400, jsonrpc: -32700, binrpc: 400, exit: 1 },
  "request-too-large": { mi: 400, jsonrpc: -32600, binrpc: 400, exit: 2 },
  "invalid-request": { mi: 400, jsonrpc: -32600, binrpc: 400, exit: 1 },
  "reply-too-large": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 5 },
  "unrepresentable": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 2 },
  "reply-syntax": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 5 },
  "timeout": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 3 },
  "address-in-use": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "permission-denied": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "not-found": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "refused": { mi: 400, jsonrpc: -32000, binrpc: 400, exit: 2 },
  "connection-refused": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "not-a-socket": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "unsafe-path": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "transport": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "closed": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 4 },
  "truncated-reply": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 5 },
  "error-reply": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 1 },
  "method-not-found": { mi: 500, jsonrpc: -32601, binrpc: 500, exit: 1 },
  "invalid-params": { mi: 400, jsonrpc: -32602, binrpc: 400, exit: 1 },
  "handler": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 1 },
  "interrupted": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 128 },
  "internal": { mi: 500, jsonrpc: -32000, binrpc: 500, exit: 1 },
};

/** One row of the exit-status table. */
export interface ExitStatus {
  /** The status, or the first of a range (128 for 128+N). */
  status: number;
  /** How `--help` and the README write it: `0`, `128+N`. */
  label: string;
  /** What it means, for every subcommand. */
  meaning: string;
}

/**
 * The exit statuses of every subcommand: the one table that `--help`, the
 * README and the code read (a test keeps the README equal to it).
 */
export const EXIT_STATUSES: readonly ExitStatus[] = [
  { status: 0, label: "0", meaning: "success: a result, every file valid, a clean stop" },
  {
    status: 1,
    label: "1",
    meaning: "a problem found: an error reply or fault, an invalid file, a finding",
  },
  {
    status: 2,
    label: "2",
    meaning: "usage: bad option, address, duration or config; refused before sending",
  },
  { status: 3, label: "3", meaning: "timeout: no reply (or no send) in time, on any transport" },
  {
    status: 4,
    label: "4",
    meaning: "transport: no socket, permission denied, refused, address in use",
  },
  { status: 5, label: "5", meaning: "a reply that was cut or cannot be read (malformed)" },
  { status: 128, label: "128+N", meaning: "stopped by signal N (130 for Ctrl-C, 143 for SIGTERM)" },
];

/** The exit status for each kind of outcome, named (values from {@linkcode EXIT_STATUSES}). */
export const EXIT = {
  ok: 0,
  problem: 1,
  usage: 2,
  timeout: 3,
  transport: 4,
  malformed: 5,
  signal: 128,
} as const;

/** The exit-status table as lines of text for `--help`. */
export function exitStatusHelp(): string {
  const width = Math.max(...EXIT_STATUSES.map((e) => e.label.length));
  return EXIT_STATUSES.map((e) => `  ${e.label.padEnd(width)}  ${e.meaning}`).join("\n");
}

/**
 * An error that a user, a peer or the operating system caused: the one
 * error family of midgram. Its {@linkcode ErrorCode} picks, from
 * {@linkcode ERROR_DISPOSITIONS}, the exit status and each dialect's error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MidgramError } from "./errors.ts";
 * const e = new MidgramError("timeout", "No reply from /run/opensips.sock within 5s");
 * assert.equal(e.code, "timeout");
 * assert.equal(e.exitCode, 3);
 * assert.equal(e.miCode, 500);
 * ```
 */
export class MidgramError extends Error {
  /** What went wrong. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MidgramError";
    this.code = code;
  }

  /** The exit status the CLI uses for this error. */
  get exitCode(): number {
    return ERROR_DISPOSITIONS[this.code].exit;
  }

  /** The MI reply code the server uses for this error. */
  get miCode(): number {
    return ERROR_DISPOSITIONS[this.code].mi;
  }

  /** The JSON-RPC error code the server uses for this error. */
  get jsonRpcCode(): number {
    return ERROR_DISPOSITIONS[this.code].jsonrpc;
  }
}

/**
 * A command stopped by signal N (its abort reason): code `interrupted`, exit
 * status 128+N (130 for SIGINT, 143 for SIGTERM); a reason that is not a
 * number counts as SIGINT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeOf, Interrupted } from "./errors.ts";
 * assert.equal(exitCodeOf(new Interrupted(15)), 143);
 * assert.equal(new Interrupted(undefined).signal, 2);
 * ```
 */
export class Interrupted extends MidgramError {
  /** The signal's number. */
  readonly signal: number;

  constructor(reason: unknown, message = "Interrupted") {
    super("interrupted", message);
    this.name = "Interrupted";
    this.signal = typeof reason === "number" && Number.isInteger(reason) && reason > 0 ? reason : 2;
  }

  /** 128+N. */
  override get exitCode(): number {
    return EXIT.signal + this.signal;
  }
}

/**
 * The exit status of a command that runs until `interrupted` aborts (the
 * process aborts it with the signal's number): 128+N when a signal N stopped
 * it, as {@linkcode Interrupted} says; 0 when it was not aborted, or aborted
 * without a signal's number (stopped by the code that embeds it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { interruptedStatus } from "./errors.ts";
 * const stop = new AbortController();
 * assert.equal(interruptedStatus(stop.signal), 0);
 * stop.abort(15);
 * assert.equal(interruptedStatus(stop.signal), 143);
 * ```
 */
export function interruptedStatus(interrupted: AbortSignal): number {
  const reason = interrupted.reason;
  return interrupted.aborted && typeof reason === "number"
    ? new Interrupted(reason).exitCode
    : EXIT.ok;
}

/**
 * The error code of any error: a {@linkcode MidgramError}'s own (every
 * subclass included); `null` for anything else (a programmer's `TypeError`,
 * a bug).
 */
export function errorCodeOf(error: unknown): ErrorCode | null {
  return error instanceof MidgramError ? error.code : null;
}

/**
 * Exit status for any error: a {@linkcode MidgramError}'s (its code's row of
 * the table; 128+N for {@linkcode Interrupted}), or 1 for anything unexpected.
 */
export function exitCodeOf(error: unknown): number {
  return error instanceof MidgramError ? error.exitCode : EXIT.problem;
}
