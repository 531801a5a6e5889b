/**
 * Whether something serves an address, seen without sending it a byte: a
 * socket file of the right kind, a FIFO that a process reads, a UDP port
 * bound on this host (Linux's `/proc/net/udp`). For choosing among the
 * servers' default addresses, where a probe must not go to a stranger.
 *
 * @module
 */
import { closeSync, constants, lstatSync, openSync, readFileSync, realpathSync } from "node:fs";
import type { AnyAddress } from "./types.ts";

/** The IPv4 hosts a UDP socket bound to `host` (or to any address) answers on, as `/proc/net/udp` writes them. */
function boundUdp(host: string, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  const wanted = new Set(["00000000"]);
  if (v4) {
    // Little-endian hex, as the kernel prints it.
    wanted.add(
      [v4[4], v4[3], v4[2], v4[1]].map((b) => Number(b).toString(16).toUpperCase().padStart(2, "0"))
        .join(""),
    );
  }
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (!local) continue;
      const [addr, p] = local.split(":");
      if (p !== hexPort) continue;
      if (file.endsWith("6") || wanted.has(addr)) return true;
    }
  }
  return false;
}

/**
 * Whether `address` looks served, without a byte sent: a socket file there
 * (UNIX datagram or stream), a FIFO that someone reads (opened for writing
 * without blocking, then closed at once: nothing is written), a bound UDP
 * port. TCP and HTTP: `false` (not looked at).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { looksServed } from "./presence.ts";
 * assert.equal(looksServed({ kind: "fifo", path: "/nonexistent/fifo" }), false);
 * ```
 */
export function looksServed(address: AnyAddress): boolean {
  switch (address.kind) {
    case "unix":
    case "unix-stream":
      try {
        return lstatSync(address.path).isSocket();
      } catch {
        return false;
      }
    case "fifo": {
      try {
        if (!lstatSync(address.path).isFIFO()) return false;
        // ENXIO when nobody reads it.
        const fd = openSync(
          address.path,
          constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW,
        );
        closeSync(fd);
        return true;
      } catch {
        return false;
      }
    }
    case "udp":
      return boundUdp(address.host, address.port);
    default:
      return false;
  }
}

/**
 * The type of the UNIX socket bound at `path`, read from Linux's
 * `/proc/net/unix` (which any user may read, whatever the socket's mode):
 * `stream` or `datagram`, or `null` when it is not listed (no one has it
 * bound: a stale file; or it was bound under another name and renamed, as
 * `midgram serve` does), or without `/proc`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unixSocketType } from "./presence.ts";
 * assert.equal(unixSocketType("/nonexistent/ctl"), null);
 * ```
 */
export function unixSocketType(path: string): "stream" | "datagram" | null {
  let text: string;
  try {
    text = readFileSync("/proc/net/unix", "utf8");
  } catch {
    return null;
  }
  const names = new Set([path]);
  try {
    names.add(realpathSync(path));
  } catch {
    // Gone: only the name as given.
  }
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || !names.has(fields.slice(7).join(" "))) continue;
    if (fields[4] === "0001") return "stream";
    if (fields[4] === "0002" || fields[4] === "0005") return "datagram";
  }
  return null;
}
