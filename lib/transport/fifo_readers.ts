/**
 * Who reads a FIFO: a process that holds it open for reading, found in
 * Linux's `/proc` without touching the FIFO itself (no byte is written, so
 * nothing reaches the server). Another user's processes are visible only to
 * root; elsewhere than Linux nobody is found.
 *
 * @module
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename } from "node:path";

/** A process that holds a FIFO open for reading. */
export interface FifoReader {
  pid: number;
  /** Its program: the base name of `/proc/PID/exe`, else `/proc/PID/comm`. */
  program: string;
  /** Its command line's arguments (after the program), empty when unreadable. */
  args: string[];
  /** Its working directory, where relative arguments point; null when unreadable. */
  cwd: string | null;
}

/** At most this many processes are looked at (a bound on the work). */
const MAX_PROCESSES = 65536;

/** Whether `/proc/PID/fdinfo/N`'s `flags:` (octal) open for reading: access mode 0 or 2. */
function readsFrom(fdinfo: string): boolean {
  const m = /^flags:\s*([0-7]+)/m.exec(fdinfo);
  if (!m) return false;
  const access = Number.parseInt(m[1], 8) & 3;
  return access === 0 || access === 2;
}

function programOf(pid: string): string {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)).replace(/ \(deleted\)$/, "");
  } catch {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      return "";
    }
  }
}

function argsOf(pid: string): { args: string[]; cwd: string | null } {
  let args: string[] = [];
  let cwd: string | null = null;
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(1, -1);
  } catch {
    // Gone, or hidden: no arguments.
  }
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    // Another user's process.
  }
  return { args, cwd };
}

/**
 * A process that holds the FIFO at `path` open for reading (the lowest
 * pid), found by the file each of its descriptors names, confirmed by
 * device and inode; `null` when nobody visible does, when `path` is not a
 * FIFO, or without `/proc`. Synchronous: a few milliseconds of reading
 * `/proc`, no I/O on the FIFO.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fifoReader } from "./fifo_readers.ts";
 * assert.equal(fifoReader("/nonexistent/fifo"), null);
 * ```
 */
export function fifoReader(path: string): FifoReader | null {
  let target;
  let real: string;
  try {
    target = statSync(path);
    real = realpathSync(path);
  } catch {
    return null;
  }
  if (!target.isFIFO()) return null;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n)).slice(0, MAX_PROCESSES);
  } catch {
    return null;
  }
  pids.sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        // The link names the file with its links resolved: cheap to compare,
        // then the inode confirms it.
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== real) continue;
        const s = statSync(`/proc/${pid}/fd/${fd}`);
        if (s.ino !== target.ino || s.dev !== target.dev) continue;
        if (!readsFrom(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"))) continue;
      } catch {
        continue;
      }
      return { pid: Number(pid), program: programOf(pid), ...argsOf(pid) };
    }
  }
  return null;
}

/**
 * A text file's content, or null when it cannot be read (for reading a
 * server's config file beside its process).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTextFile } from "./fifo_readers.ts";
 * assert.equal(readTextFile("/nonexistent"), null);
 * ```
 */
export function readTextFile(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
