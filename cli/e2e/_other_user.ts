/**
 * Running dist/midgram as another local user (`nobody`) in a test, wherever
 * the checkout lives. A checkout in a private directory (mode 0700, such as
 * one under /root or made by `mktemp -d`) cannot be entered by that user, so
 * the test gets a fresh directory the user may traverse, holding a copy of
 * the binary and a sticky world-writable `tmp` for sockets the user creates.
 *
 * @module
 */
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { BINARY } from "./_processes.ts";

/** A user's numeric ids, from /etc/passwd. */
export interface UserIds {
  uid: number;
  gid: number;
}

/** The ids of `name`, or undefined when /etc/passwd has no such user. */
export function userIds(name: string): UserIds | undefined {
  let passwd = "";
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    return undefined;
  }
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/**
 * The first directory from `/` down to `path` that `user` may not traverse
 * (search permission by owner, group or others), or undefined when every one
 * of them may be traversed. Supplementary groups are not considered, which
 * can only make the answer stricter.
 */
export function untraversable(path: string, user: UserIds): string | undefined {
  const parts: string[] = [];
  for (let p = resolve(path);; p = dirname(p)) {
    parts.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const dir of parts) {
    const s = statSync(dir);
    const bit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) return dir;
  }
  return undefined;
}

/**
 * Why a test cannot run dist/midgram as `user` here, or undefined when it
 * can: it needs root, the user, the built binary and a temporary directory
 * the user may reach. The checkout's own directory does not matter.
 */
export function otherUserSkip(user: string): string | undefined {
  const proc = (globalThis as { process?: { geteuid?: () => number } }).process;
  if (proc?.geteuid?.() !== 0) return `needs root to run dist/midgram as ${user}`;
  const ids = userIds(user);
  if (!ids) return `needs a user ${user}`;
  if (!existsSync(BINARY)) return "needs dist/midgram (npm run build)";
  const blocked = untraversable(tmpdir(), ids);
  if (blocked) {
    return `${user} may not enter "${blocked}" on the way to the temporary directory (set TMPDIR)`;
  }
  return undefined;
}

/** A directory prepared for another user: the binary and a place for sockets. */
export interface OtherUserStage {
  /** The fresh directory (mode 0755, root's), inside the temporary directory. */
  dir: string;
  /** dist/midgram, reachable by the other user. */
  binary: string;
  /** A sticky, world-writable directory inside `dir` (a TMPDIR for the other user). */
  tmp: string;
  /** Removes the directory and everything in it. */
  remove(): void;
}

/**
 * Makes a fresh directory in the temporary directory that any user may
 * traverse, with dist/midgram copied into it. Call only when
 * {@link otherUserSkip} returned undefined.
 */
export function stageForOtherUser(prefix: string): OtherUserStage {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  const binary = join(dir, "midgram");
  // A copy (a clone where the file system can), not a hard link: linking and
  // unlinking change dist/midgram's ctime, and the package test running
  // beside this one then fails with tar's "file changed as we read it".
  copyFileSync(BINARY, binary, constants.COPYFILE_FICLONE);
  chmodSync(binary, 0o755);
  const tmp = join(dir, "tmp");
  mkdirSync(tmp);
  chmodSync(tmp, 0o1777);
  return { dir, binary, tmp, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
