/**
 * Named pipes (FIFOs) as OpenSIPS's `mi_fifo` and Kamailio's `jsonrpcs` use
 * them: byte chunks in and out, no framing (the `:name:` prefix or the
 * `"reply_name"` member is the dialect's business).
 *
 * Both runtimes run this same code on `node:fs` with non-blocking file
 * descriptors (Deno's `node:fs` honours `O_NONBLOCK`). Neither runtime can
 * wait for a FIFO to become readable, so reads poll: a few milliseconds
 * apart at first, backing off to {@linkcode POLL_MAX_MS}, each wait bounded
 * by the caller's timeout or signal. Neither runtime can make a FIFO either:
 * `mkfifo(1)` is run (Deno needs `--allow-run`).
 *
 * @module
 */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { chmod, chown, lstat, open, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { BoundedChunks } from "../bytes.ts";
import { MidgramError } from "../errors.ts";
import { errnoName, nobodyReads, osError, replyTooLarge } from "./_errors.ts";
import { existingBindTarget, planReplyAccess } from "./_unix_path.ts";
import type { FifoAddress } from "./types.ts";

const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_NOFOLLOW } = constants;

/** The longest pause between two reads of an empty FIFO. */
export const POLL_MAX_MS = 20;
/** How often and how long a server tries to open a reply FIFO whose reader is not there yet (as OpenSIPS). */
export const REPLY_OPEN_RETRIES = 4;
export const REPLY_OPEN_INTERVAL_MS = 80;

const CHUNK = 65536;
/** Writes to a pipe up to this size are atomic (POSIX: at least 512; Linux 4096). */
const PIPE_BUF = 4096;

const fifo = (path: string): FifoAddress => ({ kind: "fifo", path });

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `mkfifo -m MODE PATH`; fails if anything is at `path` already. */
export function mkfifo(path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("mkfifo", ["-m", mode.toString(8), "--", path], (error, _out, stderr) => {
      if (!error) return resolve();
      const code = (error as { code?: unknown }).code;
      const detail = code === "ENOENT"
        ? "the mkfifo program is not installed"
        : String(stderr).trim() || error.message;
      reject(
        new MidgramError(
          /exists/i.test(detail) ? "address-in-use" : "transport",
          `Cannot make FIFO "${path}": ${detail}`,
          { cause: error },
        ),
      );
    });
  });
}

/** Opens a FIFO without following links and checks that it is one. */
async function openFifo(path: string, flags: number, op: "open" | "bind"): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, flags | O_NONBLOCK | O_NOFOLLOW);
  } catch (error) {
    const errno = errnoName(error);
    if (errno === "ELOOP") {
      throw new MidgramError("unsafe-path", `Cannot open "${path}": it is a symbolic link`);
    }
    if (errno === "ENXIO") {
      throw nobodyReads(path, error);
    }
    throw osError(error, op, fifo(path));
  }
  const stat = await handle.stat();
  if (!stat.isFIFO() || stat.nlink > 1) {
    await handle.close();
    throw new MidgramError(
      stat.isFIFO() ? "unsafe-path" : "not-a-socket",
      `Cannot open "${path}": ${stat.isFIFO() ? "the FIFO has hard links" : "it is not a FIFO"}`,
    );
  }
  return handle;
}

/**
 * Reads once from a non-blocking FIFO: bytes, `"empty"` (a writer is there
 * but wrote nothing yet) or `"none"` (no writer: not yet, or gone).
 */
async function readOnce(
  handle: FileHandle,
  buffer: Uint8Array,
): Promise<Uint8Array | "empty" | "none"> {
  try {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    return bytesRead === 0 ? "none" : buffer.slice(0, bytesRead);
  } catch (error) {
    if (errnoName(error) === "EAGAIN") return "empty";
    throw error;
  }
}

/** Writes all of `data` to a non-blocking FIFO, waiting while it is full, until `deadline`. */
async function writeAll(
  handle: FileHandle,
  data: Uint8Array,
  deadline: number,
  signal: AbortSignal | undefined,
  what: () => MidgramError,
): Promise<void> {
  let done = 0;
  let pause = 1;
  while (done < data.length) {
    try {
      // At most PIPE_BUF bytes at a time: such a write is all or nothing, where
      // Deno loses count of a longer one that fills the pipe half-way.
      const size = Math.min(PIPE_BUF, data.length - done);
      const { bytesWritten } = await handle.write(data, done, size, null);
      done += bytesWritten;
      pause = 1;
    } catch (error) {
      if (errnoName(error) !== "EAGAIN") throw error;
      if (Date.now() >= deadline) throw what();
      await delay(Math.min(pause, deadline - Date.now()), signal);
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }
}

/** Options of {@linkcode fifoRequest}. */
export interface FifoRequestOptions {
  /** The server's reply directory (`reply_dir`, `fifo_reply_dir`). */
  replyDir: string;
  /** The reply FIFO's file name; default a unique `midgram_PID_RANDOM`. */
  replyName?: string;
  /**
   * Mode of the reply FIFO. By default only the server FIFO's owner or group may
   * write it (the same rules as for reply sockets; see the README's Security).
   */
  mode?: number;
  /** Limit for the whole exchange, every step included. Default 2000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest reply accepted. Default 16 MiB. */
  maxReply?: number;
}

/**
 * Sends one request through a server FIFO and reads the reply from a reply
 * FIFO made for it: the reply FIFO is made in `replyDir` and opened for
 * reading before the request is written (in one write when at most 4096
 * bytes, as the servers need), then read until the server closes it. The reply FIFO is removed in every case.
 *
 * @param request Builds the request bytes from the reply FIFO's name.
 *
 * @example
 * ```ts ignore
 * import { fifoRequest } from "./fifo.ts";
 * const reply = await fifoRequest("/tmp/opensips_fifo", (name) =>
 *   new TextEncoder().encode(`:${name}:{"jsonrpc":"2.0","method":"version","id":1}\n`), {
 *   replyDir: "/tmp",
 * });
 * ```
 *
 * @throws {MidgramError} `not-found`, `connection-refused` (nobody reads the
 *   server FIFO), `timeout`, `unsafe-path`, `not-a-socket` (not a FIFO), …
 */
export async function fifoRequest(
  serverPath: string,
  request: (replyName: string) => Uint8Array,
  options: FifoRequestOptions,
): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const deadline = Date.now() + timeoutMs;
  const { signal } = options;
  const maxReply = options.maxReply ?? 16 << 20;
  if (signal?.aborted) throw signal.reason;
  const name = options.replyName ?? `midgram_${process.pid}_${Math.random().toString(36).slice(2)}`;
  checkReplyName(name);
  const replyPath = join(options.replyDir, name);
  const timeout = (step: string) =>
    new MidgramError(
      "timeout",
      `No reply from "fifo:${serverPath}" within ${timeoutMs} ms (${step})`,
    );
  // Who may write our reply: the server FIFO's owner or group only (as for
  // reply sockets), so another local user cannot forge the reply. Made 0600
  // first, then opened up to them.
  const access = options.mode === undefined
    ? await planReplyAccess({ kind: "unix", path: serverPath })
    : null;
  await mkfifo(replyPath, 0o600);
  let reader: FileHandle | null = null;
  try {
    if (access) {
      if (access.uid !== -1 || access.gid !== -1) await chown(replyPath, access.uid, access.gid);
      await chmod(replyPath, access.socketMode);
    } else await chmod(replyPath, options.mode!);
    reader = await openFifo(replyPath, O_RDONLY, "open");
    const writer = await openFifo(serverPath, O_WRONLY, "open");
    try {
      await writeAll(
        writer,
        request(name),
        deadline,
        signal,
        () => timeout("the server FIFO stayed full"),
      );
    } finally {
      await writer.close();
    }
    const reply = new BoundedChunks(maxReply);
    let writerSeen = false;
    let pause = 1;
    const buffer = new Uint8Array(CHUNK);
    while (true) {
      const got = await readOnce(reader, buffer);
      if (got instanceof Uint8Array) {
        writerSeen = true;
        pause = 1;
        if (!reply.push(got)) throw replyTooLarge(fifo(serverPath), maxReply);
        continue;
      }
      if (got === "empty") writerSeen = true;
      else if (writerSeen) break; // the server wrote and closed: the end of the reply
      const left = deadline - Date.now();
      if (left <= 0) throw timeout(writerSeen ? "the reply did not end" : "no reply");
      await delay(Math.min(pause, left), signal);
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
    return reply.bytes();
  } finally {
    await reader?.close();
    await unlink(replyPath).catch(() => {});
  }
}

/**
 * Refuses reply FIFO names the servers refuse (and that could leave the
 * reply directory): empty, or holding `.`, `/`, `\` or a NUL.
 */
export function checkReplyName(name: string): void {
  if (name === "" || /[./\\\0]/.test(name)) {
    throw new MidgramError(
      "usage",
      `Cannot use "${name}" as a reply FIFO name: it must be a bare name without ".", "/" or "\\"`,
    );
  }
}

/** Options of {@linkcode listenFifo}. */
export interface FifoListenOptions {
  /** Mode of the FIFO. Default 0o660. */
  mode?: number;
  /** Numeric owner to give the FIFO (needs privilege), as ctl's `user` parameter. */
  uid?: number;
  /** Numeric group to give the FIFO, as ctl's `group` parameter. */
  gid?: number;
}

/** A server's FIFO, read request chunk by request chunk. */
export interface FifoListener {
  readonly address: FifoAddress;
  /**
   * The next bytes written to the FIFO (one client write, or several run
   * together: the dialect splits them). Rejects with `closed` once closed,
   * with the signal's reason on abort.
   */
  read(signal?: AbortSignal): Promise<Uint8Array>;
  /** Stops reading and removes the FIFO if it is still the one made. Idempotent. */
  close(): Promise<void>;
}

/**
 * Makes a server FIFO at `path` safely and reads from it. A FIFO already
 * there that nobody reads (a crashed server's) is replaced; one that a
 * server reads, a symbolic link, or anything that is not a FIFO is refused.
 * The FIFO is also held open for writing, so clients closing it never look
 * like the end of input.
 */
export async function listenFifo(
  path: string,
  options: FifoListenOptions = {},
): Promise<FifoListener> {
  const address = fifo(path);
  if (await existingBindTarget(address, "FIFO")) {
    // A FIFO someone reads belongs to a live server.
    const probe = await openFifo(path, O_WRONLY, "bind").catch((error) => {
      if ((error as MidgramError).code === "connection-refused") return null;
      throw error;
    });
    if (probe) {
      await probe.close();
      throw new MidgramError(
        "address-in-use",
        `Cannot bind "${path}": address in use: a server reads this FIFO`,
      );
    }
    await unlink(path);
  }
  await mkfifo(path, options.mode ?? 0o660);
  if (options.uid !== undefined || options.gid !== undefined) {
    try {
      await chown(path, options.uid ?? -1, options.gid ?? -1);
    } catch (error) {
      await unlink(path).catch(() => {});
      throw osError(error, "bind", address);
    }
  }
  const reader = await openFifo(path, O_RDONLY, "bind");
  let keepOpen: FileHandle;
  let made;
  try {
    keepOpen = await openFifo(path, O_WRONLY, "bind");
    made = await reader.stat();
  } catch (error) {
    await reader.close();
    throw error;
  }
  let closed = false;
  let inFlight: Promise<unknown> | null = null;
  const stop = new AbortController();
  const closedError = () => new MidgramError("closed", `FIFO "${path}" is closed`);
  return {
    address,
    async read(signal?: AbortSignal): Promise<Uint8Array> {
      const buffer = new Uint8Array(CHUNK);
      const either = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
      let pause = 1;
      while (true) {
        if (closed) throw closedError();
        // close() waits for a read in flight: closing a descriptor under a
        // pending read lets its number be reused while the read still uses it.
        const reading = readOnce(reader, buffer);
        inFlight = reading;
        const got = await reading.finally(() => {
          inFlight = null;
        });
        if (got instanceof Uint8Array) return got;
        // "none" cannot happen while we hold a writer; it waits like "empty".
        try {
          await delay(pause, either);
        } catch (error) {
          throw closed ? closedError() : error;
        }
        pause = Math.min(pause * 2, POLL_MAX_MS);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      stop.abort();
      await inFlight?.catch(() => {});
      await reader.close();
      await keepOpen.close();
      const now = await lstat(path).catch(() => null);
      if (now?.isFIFO() && now.ino === made.ino && now.dev === made.dev) await unlink(path);
    },
  };
}

/** Options of {@linkcode writeFifoReply}. */
export interface FifoReplyOptions {
  /** Limit for opening and writing. Default 2000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Writes a reply into the client's FIFO `name` inside `replyDir`, then closes
 * it (the client reads until that end). The name must be bare; the file must
 * be a FIFO, not a link; a reader not there yet is waited for as OpenSIPS
 * does ({@linkcode REPLY_OPEN_RETRIES} × {@linkcode REPLY_OPEN_INTERVAL_MS}).
 */
export async function writeFifoReply(
  replyDir: string,
  name: string,
  data: Uint8Array,
  options: FifoReplyOptions = {},
): Promise<void> {
  checkReplyName(name);
  const path = join(replyDir, name);
  const timeoutMs = options.timeoutMs ?? 2000;
  const deadline = Date.now() + timeoutMs;
  let writer: FileHandle | null = null;
  for (let attempt = 0; writer === null; attempt++) {
    try {
      writer = await openFifo(path, O_WRONLY, "open");
    } catch (error) {
      const code = (error as MidgramError).code;
      if (code !== "connection-refused" || attempt >= REPLY_OPEN_RETRIES) throw error;
      await delay(REPLY_OPEN_INTERVAL_MS, options.signal);
    }
  }
  try {
    await writeAll(writer, data, deadline, options.signal, () =>
      new MidgramError(
        "timeout",
        `Cannot send to "fifo:${path}": the client did not read for ${timeoutMs} ms`,
      ));
  } catch (error) {
    throw error instanceof MidgramError || error === options.signal?.reason
      ? error
      : osError(error, "send", fifo(path));
  } finally {
    await writer.close();
  }
}
