/**
 * Safe UNIX socket files, shared by the Deno and Node adapters (`node:fs`
 * works on both). Better than the real servers (PROTOCOL.md §5): never
 * delete anything that is not a dead socket, refuse symbolic and hard links,
 * and never let the socket exist at its path with wider permissions than asked.
 *
 * @module
 */
import { chmod, chown, lstat, mkdtemp, rename, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { MidgramError } from "../errors.ts";
import { osError } from "./_errors.ts";
import type { BindOptions, UnixAddress } from "./types.ts";

/** The identity of a socket file we made, so we only ever remove our own. */
export interface SocketFile {
  path: string;
  dev: number;
  ino: number;
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
  let stat;
  try {
    stat = await lstat(path);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return;
    throw osError(error, "bind", address);
  }
  if (stat.isSymbolicLink()) {
    throw new MidgramError("unsafe-path", `Cannot bind "${path}": it is a symbolic link`);
  }
  if (!stat.isSocket()) {
    throw new MidgramError(
      "not-a-socket",
      `Cannot bind "${path}": refusing to replace something that is not a socket`,
    );
  }
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
 * Makes a private directory for a client's reply socket: mode 0711, so a
 * server running as another user can reach the socket inside (made 0622)
 * without being able to list the directory.
 */
export async function clientSocketDir(): Promise<{ dir: string; path: string }> {
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), "midgram-"));
    await chmod(dir, 0o711);
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

/** Opens up a client reply socket for the server to write to. */
export async function openClientSocket(path: string): Promise<void> {
  await chmod(path, 0o622);
}

/** Removes a client's private directory and everything in it. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
