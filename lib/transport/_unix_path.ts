/**
 * Safe UNIX socket files and the client sockets' policy (who may reach a
 * reply socket, where a UDP client binds), shared by the Deno and Node
 * adapters (`node:fs` works on both). Better than the real servers (PROTOCOL.md §5): never
 * delete anything that is not a dead socket, refuse symbolic and hard links,
 * and never let the socket exist at its path with wider permissions than asked.
 *
 * A client's reply socket is set up with synchronous calls: a handful of
 * metadata operations on local files, each of which, made asynchronous, went
 * through libuv's thread pool (started for them alone) and back — a few
 * milliseconds of every one-shot send to a UNIX socket.
 *
 * @module
 */
import { chmod, chown, lstat, mkdtemp, rename, rm, unlink } from "node:fs/promises";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { MidgramError } from "../errors.ts";
import type { Stats } from "node:fs";
import { errnoName, osError, otherTypeThere, unprovenSocketThere } from "./_errors.ts";
import type { BindOptions, FifoAddress, UnixAddress } from "./types.ts";

/** The identity of a socket file we made, so we only ever remove our own. */
export interface SocketFile {
  path: string;
  dev: number;
  ino: number;
}

/**
 * What is at the path where a server is about to make its socket or FIFO:
 * `undefined` when nothing is there, else its `lstat()` once it is known to
 * be of the `kind` the server makes (a dead one is replaced).
 *
 * @throws {MidgramError} `unsafe-path` for a symbolic link, `not-a-socket`
 *   for anything not of that kind, the OS error when `lstat()` fails.
 */
export async function existingBindTarget(
  address: UnixAddress | FifoAddress,
  kind: "socket" | "FIFO",
): Promise<Stats | undefined> {
  const { path } = address;
  let stat;
  try {
    stat = await lstat(path);
  } catch (error) {
    if (errnoName(error) === "ENOENT") return undefined;
    throw osError(error, "bind", address);
  }
  if (stat.isSymbolicLink()) {
    throw new MidgramError("unsafe-path", `Cannot bind "${path}": it is a symbolic link`);
  }
  if (!(kind === "socket" ? stat.isSocket() : stat.isFIFO())) {
    throw new MidgramError(
      "not-a-socket",
      `Cannot bind "${path}": refusing to replace something that is not a ${kind}`,
    );
  }
  return stat;
}

/**
 * What an empty datagram sent to the socket at `path` proves, from the
 * send's errno name (`null`: the send was accepted): a live server when it
 * was accepted or the server's queue is full (EAGAIN, ENOBUFS), a dead
 * socket only when refused (or the file went meanwhile).
 *
 * @param detail What to name when the send failed otherwise (default the errno name).
 * @throws {MidgramError} for a stream socket there (EPROTOTYPE), and for any
 *   other failure, which proves nothing.
 */
export function probeProvesLive(path: string, errno: string | null, detail?: string): boolean {
  if (errno === null || errno === "EAGAIN" || errno === "ENOBUFS") return true;
  if (errno === "ECONNREFUSED" || errno === "ENOENT") return false;
  if (errno === "EPROTOTYPE") throw otherTypeThere(path);
  throw unprovenSocketThere(path, detail ?? errno);
}

/**
 * Checks what is at `path` before binding there. Returns normally when the
 * path is free or holds a dead socket (which the bind will replace).
 *
 * @param isLive Sends an empty datagram to the socket: true when it was accepted.
 */
export async function checkBindPath(
  address: UnixAddress,
  isLive: (path: string) => Promise<boolean>,
): Promise<void> {
  const { path } = address;
  const stat = await existingBindTarget(address, "socket");
  if (stat === undefined) return;
  if (stat.nlink > 1) {
    throw new MidgramError(
      "unsafe-path",
      `Cannot bind "${path}": the socket has ${stat.nlink} hard links`,
    );
  }
  if (await isLive(path)) {
    throw new MidgramError(
      "address-in-use",
      `Cannot bind "${path}": address in use: a server answers there`,
    );
  }
}

/**
 * Binds a UNIX socket at `address` safely: inside a private directory (mode
 * 0700) next to the target, then chmod/chown, then an atomic rename onto
 * the target.
 *
 * @param bindAt Binds the runtime's socket at a path and returns a closer.
 */
export async function bindUnixSafely<T>(
  address: UnixAddress,
  options: BindOptions,
  bindAt: (path: string) => Promise<T>,
  closeSocket: (socket: T) => void | Promise<void>,
  isLive: (path: string) => Promise<boolean>,
): Promise<{ socket: T; file: SocketFile }> {
  await checkBindPath(address, isLive);
  let privateDir: string;
  try {
    privateDir = await mkdtemp(join(dirname(address.path), `.${basename(address.path)}.`));
  } catch (error) {
    throw osError(error, "bind", address);
  }
  const temporary = join(privateDir, "s");
  let socket: T | null = null;
  try {
    socket = await bindAt(temporary);
    await chmod(temporary, options.mode ?? 0o660);
    if (options.uid !== undefined || options.gid !== undefined) {
      await chown(temporary, options.uid ?? -1, options.gid ?? -1);
    }
    // A socket that appeared in the meantime is checked again, then replaced atomically.
    await checkBindPath(address, isLive);
    await rename(temporary, address.path);
    const stat = await lstat(address.path);
    return { socket, file: { path: address.path, dev: stat.dev, ino: stat.ino } };
  } catch (error) {
    if (socket !== null) await closeSocket(socket);
    throw error instanceof MidgramError ? error : osError(error, "bind", address);
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}

/**
 * Binds a client's reply socket at exactly `path` (kamcmd's `-R`). Bound in
 * place, not renamed there as {@linkcode bindUnixSafely} does: a socket keeps
 * the name it was bound at, and the server answers that name. Refused as by
 * `bind()` when anything but a dead socket is there; made under a umask that
 * leaves it to its owner, then opened to whom {@linkcode planReplyAccess}
 * lets in.
 *
 * @param bindAt Binds the runtime's socket at a path, synchronously.
 */
export async function bindReplySocketAt<T>(
  address: UnixAddress,
  peer: UnixAddress,
  bindAt: (path: string) => T,
  closeSocket: (socket: T) => void | Promise<void>,
  isLive: (path: string) => Promise<boolean>,
): Promise<{ socket: T; file: SocketFile }> {
  await checkBindPath(address, isLive);
  const access = await planReplyAccess(peer);
  // A dead socket is replaced (checkBindPath let nothing else through).
  await unlink(address.path).catch(() => {});
  const umask = process.umask(0o177);
  let socket: T;
  try {
    socket = bindAt(address.path);
  } finally {
    process.umask(umask);
  }
  try {
    await chmod(address.path, access.socketMode);
    if (access.uid !== -1 || access.gid !== -1) {
      await chown(address.path, access.uid, access.gid);
    }
    const stat = await lstat(address.path);
    return { socket, file: { path: address.path, dev: stat.dev, ino: stat.ino } };
  } catch (error) {
    await closeSocket(socket);
    await unlink(address.path).catch(() => {});
    throw osError(error, "bind", address);
  }
}

/** Removes a socket file if it is still the one we made. */
export async function removeSocketFile(file: SocketFile): Promise<void> {
  try {
    const stat = await lstat(file.path);
    if (stat.isSocket() && stat.dev === file.dev && stat.ino === file.ino) await unlink(file.path);
  } catch {
    // Already gone, or no longer ours: nothing to do.
  }
}

/**
 * Makes a private directory (mode 0700) for a client's reply socket or a
 * server's sending socket. Nobody else can reach what is bound inside until
 * {@linkcode openReplySocket} lets the server's side in.
 */
// deno-lint-ignore require-await -- synchronous inside (see the module doc), a promise to callers
export async function clientSocketDir(): Promise<{ dir: string; path: string }> {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), "midgram-"));
    chmodSync(dir, 0o700);
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new MidgramError(
      "transport",
      `Cannot make a reply socket in "${tmpdir()}": ${code}: set TMPDIR to a writable directory the server can reach`,
      { cause: error },
    );
  }
  return { dir, path: join(dir, "reply.sock") };
}

/**
 * Who may reach a client's reply socket: the owner and group to give the
 * directory and the socket, and their modes. `-1` keeps the current owner or group.
 */
export interface ReplyAccess {
  uid: number;
  gid: number;
  dirMode: number;
  socketMode: number;
}

/** The environment variable that lets any local user reach the reply socket (the old behaviour). */
export const INSECURE_REPLY_ENV = "MIDGRAM_INSECURE_REPLY";

interface Identity {
  uid: number;
  groups: Set<number>;
}

function ownIdentity(): Identity {
  const uid = process.geteuid?.() ?? -1;
  const groups = new Set<number>(process.getgroups?.() ?? []);
  const egid = process.getegid?.();
  if (egid !== undefined) groups.add(egid);
  // Deno's getgroups() is empty: the kernel's list is the reliable one.
  try {
    const line = readFileSync("/proc/self/status", "utf8").split("\n")
      .find((l) => l.startsWith("Groups:"));
    for (const g of line?.slice(7).trim().split(/\s+/) ?? []) if (g) groups.add(Number(g));
  } catch {
    // Not Linux: getgroups() is all there is.
  }
  return { uid, groups };
}

/** The groups of the user `uid`, from /etc/passwd and /etc/group (empty when unreadable). */
function groupsOfUser(uid: number): Set<number> {
  const groups = new Set<number>();
  try {
    const user = readFileSync("/etc/passwd", "utf8").split("\n").map((l) => l.split(":"))
      .find((f) => f.length >= 4 && Number(f[2]) === uid && f[2] !== "");
    if (!user) return groups;
    groups.add(Number(user[3]));
    for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length >= 4 && f[3].split(",").includes(user[0])) groups.add(Number(f[2]));
    }
  } catch {
    // No readable user database: only shared groups we can see count.
  }
  return groups;
}

/**
 * Decides who may send to the reply socket of a client of `peer`: only the
 * owner of the server's socket and the members of its group (who may send to
 * the server anyway), never other local users, so that nobody else can forge
 * a reply. A server socket that cannot be examined gets a private directory:
 * the request then fails on its own (not found, permission denied).
 *
 * Throws a `permission-denied` error when no such directory can be made (we
 * are neither the socket's owner, root, nor share a group with its owner)
 * unless `MIDGRAM_INSECURE_REPLY=1` opts into a socket any local user can reach.
 */
// deno-lint-ignore require-await -- synchronous inside (see the module doc), a promise to callers
export async function planReplyAccess(peer: UnixAddress): Promise<ReplyAccess> {
  const private_: ReplyAccess = { uid: -1, gid: -1, dirMode: 0o700, socketMode: 0o600 };
  let server;
  try {
    server = statSync(peer.path);
  } catch {
    return private_;
  }
  const me = ownIdentity();
  if (me.uid === 0 && server.uid !== 0) {
    // Root can give the directory away: to the socket's owner and group, who only may enter.
    return { uid: server.uid, gid: server.gid, dirMode: 0o110, socketMode: 0o220 };
  }
  if (me.groups.has(server.gid) || me.uid === 0) {
    // Our own socket, or one whose group we are in: that group may enter (and we).
    return { uid: -1, gid: server.gid, dirMode: 0o710, socketMode: 0o620 };
  }
  if (me.uid === server.uid) return private_;
  const theirs = groupsOfUser(server.uid);
  const shared = [...me.groups].find((g) => theirs.has(g));
  if (shared !== undefined) return { uid: -1, gid: shared, dirMode: 0o710, socketMode: 0o620 };
  if (process.env[INSECURE_REPLY_ENV] === "1") {
    return { uid: -1, gid: -1, dirMode: 0o711, socketMode: 0o622 };
  }
  throw new MidgramError(
    "permission-denied",
    `Cannot make a reply socket for "${peer.path}": the server's socket belongs to uid ${server.uid} and gid ${server.gid}, ` +
      `and this user (uid ${me.uid}) shares no group with them, so no reply directory only the server can enter can be made: ` +
      `run as the socket's owner or root, join its group, or set ${INSECURE_REPLY_ENV}=1 to let any local user reach the reply socket`,
  );
}

/**
 * Lets the server's side reach a reply socket bound at `path` in the private
 * directory `dir`: the socket first, then the directory, which until then
 * kept everyone else out.
 */
// deno-lint-ignore require-await -- synchronous inside (see the module doc), a promise to callers
export async function openReplySocket(
  dir: string,
  path: string,
  access: ReplyAccess,
): Promise<void> {
  chmodSync(path, access.socketMode);
  if (access.uid !== -1 || access.gid !== -1) chownSync(path, access.uid, access.gid);
  // Root gives the directory away: set its mode before its owner, so the new owner never has more.
  chmodSync(dir, access.dirMode);
  if (access.uid !== -1 || access.gid !== -1) chownSync(dir, access.uid, access.gid);
}

/**
 * The local address a client's UDP socket binds to for a server at `host` (an
 * IP literal): the family's loopback when the server is on loopback, so that
 * the socket is not reachable from other hosts, else the family's wildcard.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientHost } from "./_unix_path.ts";
 * assert.equal(clientHost("127.0.0.2"), "127.0.0.1");
 * assert.equal(clientHost("::1"), "::1");
 * assert.equal(clientHost("192.0.2.7"), "0.0.0.0");
 * ```
 */
export function clientHost(host: string): string {
  if (host.includes(":")) return host === "::1" || /^(0*:)+0*1$/.test(host) ? "::1" : "::";
  return host.startsWith("127.") ? "127.0.0.1" : "0.0.0.0";
}

/** Removes a client's private directory and everything in it. */
// deno-lint-ignore require-await -- synchronous inside (see the module doc), a promise to callers
export async function removeDir(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
}
