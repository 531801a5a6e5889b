import { MidgramError } from "../errors.ts";
import type { Address } from "./types.ts";

/** `sun_path` holds 108 bytes including the final NUL. */
const MAX_UNIX_PATH = 107;

function bad(text: string, why: string): never {
  throw new MidgramError("usage", `Cannot parse address "${text}": ${why}`);
}

/**
 * Parses an address in the notation of the servers' `socket_name`:
 * `/path` or `unix:/path` (also `unix:relative` and `./relative`) for a UNIX
 * datagram socket; `udp:HOST:PORT` for UDP, where the port is the text after
 * the last `:`, so `udp:::1:8080` and `udp:[::1]:8080` are both IPv6
 * loopback. Port 0 asks for any free port when binding.
 *
 * @example
 * ```ts
 * import { parseAddress } from "./address.ts";
 * parseAddress("/run/opensips/mi.sock"); // { kind: "unix", path: "/run/opensips/mi.sock" }
 * parseAddress("udp:::1:8080"); // { kind: "udp", host: "::1", port: 8080 }
 * ```
 *
 * @throws {MidgramError} `usage`, naming the text and what is wrong with it.
 */
export function parseAddress(
  text: string,
  _options: { dialect?: "mi" | "jsonrpc" | "binrpc" } = {},
): Address {
  if (text.startsWith("udp:")) {
    const rest = text.slice(4);
    const colon = rest.lastIndexOf(":");
    if (colon < 0) bad(text, "missing port: write udp:HOST:PORT");
    let host = rest.slice(0, colon);
    const port = rest.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      bad(text, `the port "${port}" is not a number from 0 to 65535`);
    }
    if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
    if (host === "") bad(text, "missing host: write udp:HOST:PORT");
    if (/[\s/[\]]/.test(host)) bad(text, `the host "${host}" is not a host name or IP address`);
    return { kind: "udp", host, port: Number(port) };
  }
  let path = text;
  if (text.startsWith("unix:")) path = text.slice(5);
  else if (!text.startsWith("/") && !text.startsWith("./") && !text.startsWith("../")) {
    const scheme = /^([a-z0-9]+):/i.exec(text);
    if (scheme) {
      bad(text, `unknown scheme "${scheme[1]}:": use a /path, unix:/path or udp:HOST:PORT`);
    }
    bad(text, "expected a /path, unix:/path or udp:HOST:PORT");
  }
  if (path === "") bad(text, "empty path");
  if (path.includes("\0")) bad(text, "the path holds a NUL byte");
  const size = new TextEncoder().encode(path).length;
  if (size > MAX_UNIX_PATH) {
    bad(text, `the path is ${size} bytes, UNIX sockets allow ${MAX_UNIX_PATH}`);
  }
  return { kind: "unix", path };
}

/**
 * Writes an address back in the servers' notation, IPv6 in the bracket form.
 *
 * @example
 * ```ts
 * import { formatAddress } from "./address.ts";
 * formatAddress({ kind: "udp", host: "::1", port: 8080 }); // "udp:[::1]:8080"
 * formatAddress({ kind: "unix", path: "/tmp/x.sock" }); // "/tmp/x.sock"
 * ```
 */
export function formatAddress(address: Address): string {
  if (address.kind === "unix") return address.path;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `udp:${host}:${address.port}`;
}

/** Whether two addresses name the same socket. */
export function sameAddress(a: Address, b: Address): boolean {
  if (a.kind === "unix" || b.kind === "unix") {
    return a.kind === b.kind && (a as { path: string }).path === (b as { path: string }).path;
  }
  return a.port === b.port && normaliseHost(a.host) === normaliseHost(b.host);
}

function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}
