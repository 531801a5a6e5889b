import { MidgramError } from "../errors.ts";
import type { DialectName } from "../protocol/dialect.ts";
import type { Address, AnyAddress } from "./types.ts";

/** `sun_path` holds 108 bytes including the final NUL. */
const MAX_UNIX_PATH = 107;

/** The binrpc port of Kamailio's `ctl` module, which kamcmd uses when none is given. */
export const BINRPC_DEFAULT_PORT = 2049;

/** Options of {@linkcode parseAddress}. */
export interface ParseAddressOptions {
  /**
   * The dialect spoken at the address. With `binrpc`, kamcmd's rules apply:
   * `unix:` and a bare path mean a UNIX stream socket, a bare `HOST:PORT`
   * means UDP, and `tcp:`/`udp:` without a port use port 2049. With
   * `ctlfifo` (ctl's FIFO protocol), a bare path is a FIFO, as in ctl's
   * `fifo` parameter, and `tcp:`/`udp:` without a port use port 2049 too.
   */
  dialect?: DialectName;
}

function bad(text: string, why: string): never {
  throw new MidgramError("usage", `Cannot parse address "${text}": ${why}`);
}

const SCHEMES = "/path, unix:/path, unixs:/path, unixd:/path, udp:HOST:PORT, tcp:HOST:PORT, " +
  "fifo:/path or http://HOST:PORT/PATH";

function hostPort(
  text: string,
  kind: "udp" | "tcp",
  rest: string,
  defaultPort: number | null,
): AnyAddress {
  let host = rest;
  let port: string | null = null;
  if (rest.startsWith("[") && rest.endsWith("]")) {
    host = rest;
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon >= 0) {
      host = rest.slice(0, colon);
      port = rest.slice(colon + 1);
    }
  }
  if (port === null) {
    if (defaultPort === null) bad(text, `missing port: write ${kind}:HOST:PORT`);
    port = String(defaultPort);
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    bad(text, `the port "${port}" is not a number from 0 to 65535`);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "") bad(text, `missing host: write ${kind}:HOST:PORT`);
  if (/[\s/[\]]/.test(host)) bad(text, `the host "${host}" is not a host name or IP address`);
  return { kind, host, port: Number(port) };
}

function checkPath(text: string, path: string, socket: boolean): string {
  if (path === "") bad(text, "empty path");
  if (path.includes("\0")) bad(text, "the path holds a NUL byte");
  const size = new TextEncoder().encode(path).length;
  if (socket && size > MAX_UNIX_PATH) {
    bad(text, `the path is ${size} bytes, UNIX sockets allow ${MAX_UNIX_PATH}`);
  }
  return path;
}

function parseHttp(text: string): AnyAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    bad(text, "not a valid URL: write http://HOST:PORT/PATH");
  }
  if (url.hostname === "") bad(text, "missing host: write http://HOST:PORT/PATH");
  if (url.username || url.password) bad(text, "user names and passwords are not supported");
  if (url.hash) bad(text, "a URL with a #fragment cannot be posted to");
  return { kind: "http", url: url.href };
}

function parseAny(text: string, options: ParseAddressOptions): AnyAddress {
  const binrpc = options.dialect === "binrpc";
  const ctl = binrpc || options.dialect === "ctlfifo";
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text);
  const rest = scheme ? text.slice(scheme[0].length) : text;
  switch (scheme?.[1].toLowerCase()) {
    case undefined:
      break;
    case "http":
      return parseHttp(text);
    case "https":
      bad(text, "https is not supported: use http:// (behind a TLS proxy if needed)");
      break;
    case "udp":
    case "tcp":
      return hostPort(
        text,
        scheme![1].toLowerCase() as "udp" | "tcp",
        rest,
        ctl ? BINRPC_DEFAULT_PORT : null,
      );
    case "unixs":
      return { kind: "unix-stream", path: checkPath(text, rest, true) };
    case "unixd":
      return { kind: "unix", path: checkPath(text, rest, true) };
    case "unix":
      return { kind: binrpc ? "unix-stream" : "unix", path: checkPath(text, rest, true) };
    case "fifo":
      return { kind: "fifo", path: checkPath(text, rest, false) };
    default:
      // kamcmd reads a bare HOST:PORT as UDP; "localhost:2046" looks like a scheme.
      if (binrpc && /^\d{1,5}$/.test(rest)) return hostPort(text, "udp", text, null);
      bad(text, `unknown scheme "${scheme![1]}:": use a ${SCHEMES}`);
  }
  if (text.startsWith("/") || text.startsWith("./") || text.startsWith("../")) {
    if (options.dialect === "ctlfifo") return { kind: "fifo", path: checkPath(text, text, false) };
    return { kind: binrpc ? "unix-stream" : "unix", path: checkPath(text, text, true) };
  }
  if (binrpc && /^[^/]*:\d{1,5}$/.test(text)) return hostPort(text, "udp", text, null);
  bad(text, `expected a ${SCHEMES}`);
}

/**
 * Parses an address in the notation of the servers' socket parameters and
 * clients (`socket_name`, kamcmd's `-s`, opensips-cli's URLs):
 *
 * * `/path`, `unix:/path` (also `./relative`): a UNIX datagram socket, or
 *   with the `binrpc` dialect a UNIX stream socket, as kamcmd reads them;
 * * `unixd:/path` a UNIX datagram socket, `unixs:/path` a UNIX stream socket;
 * * `udp:HOST:PORT`, `tcp:HOST:PORT`: the port is the text after the last
 *   `:`, so `udp:::1:8080` and `udp:[::1]:8080` are both IPv6 loopback;
 *   port 0 asks for any free port when binding; with `binrpc` the port may
 *   be left out (2049) and a bare `HOST:PORT` means UDP;
 * * `fifo:/path` a named pipe; `http://HOST:PORT/PATH` an HTTP endpoint
 *   (`https:` is refused: midgram speaks plain HTTP only).
 *
 * Called without options it returns only datagram addresses (what
 * `Transport.bind` takes) and refuses the others; pass options, even `{}`,
 * to get every kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAddress } from "./address.ts";
 * assert.deepEqual(parseAddress("/run/mi.sock"), { kind: "unix", path: "/run/mi.sock" });
 * assert.deepEqual(parseAddress("udp:::1:8080"), { kind: "udp", host: "::1", port: 8080 });
 * assert.deepEqual(parseAddress("/run/ctl", { dialect: "binrpc" }), { kind: "unix-stream", path: "/run/ctl" });
 * assert.deepEqual(parseAddress("tcp:localhost", { dialect: "binrpc" }), { kind: "tcp", host: "localhost", port: 2049 });
 * ```
 *
 * @throws {MidgramError} `usage`, naming the text and what is wrong with it.
 */
export function parseAddress(text: string, options: ParseAddressOptions): AnyAddress;
// Last, so that `texts.map(parseAddress)` keeps the datagram type.
export function parseAddress(text: string): Address;
export function parseAddress(text: string, options?: ParseAddressOptions): AnyAddress {
  // `map()` passes an index as the second argument: that is "no options".
  const given = typeof options === "object" && options !== null;
  const address = parseAny(text, given ? options : {});
  if (!given && address.kind !== "unix" && address.kind !== "udp") {
    throw new MidgramError(
      "usage",
      `Cannot use address "${text}" here: only UNIX datagram and UDP sockets are supported`,
    );
  }
  return address;
}

/**
 * Writes an address back in the servers' notation, IPv6 in the bracket form;
 * a UNIX datagram socket is its bare path, a UNIX stream socket `unixs:PATH`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatAddress } from "./address.ts";
 * assert.equal(formatAddress({ kind: "udp", host: "::1", port: 8080 }), "udp:[::1]:8080");
 * assert.equal(formatAddress({ kind: "unix", path: "/tmp/x.sock" }), "/tmp/x.sock");
 * assert.equal(formatAddress({ kind: "unix-stream", path: "/tmp/ctl" }), "unixs:/tmp/ctl");
 * ```
 */
export function formatAddress(address: AnyAddress): string {
  switch (address.kind) {
    case "unix":
      return address.path;
    case "unix-stream":
      return `unixs:${address.path}`;
    case "fifo":
      return `fifo:${address.path}`;
    case "http":
      return address.url;
    default: {
      return `${address.kind}:${formatHost(address.host)}:${address.port}`;
    }
  }
}

/**
 * A host as written before `:port` in an address or URL: an IPv6 literal
 * in brackets, anything else as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatHost } from "./address.ts";
 * assert.equal(formatHost("::1"), "[::1]");
 * assert.equal(formatHost("127.0.0.1"), "127.0.0.1");
 * ```
 */
export function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Whether two addresses name the same socket, pipe or endpoint. */
export function sameAddress(a: AnyAddress, b: AnyAddress): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "udp" || a.kind === "tcp") {
    const other = b as typeof a;
    return a.port === other.port && normaliseHost(a.host) === normaliseHost(other.host);
  }
  if (a.kind === "http") return a.url === (b as typeof a).url;
  return a.path === (b as typeof a).path;
}

function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}

/**
 * The IP host of an address that has one (UDP, TCP, HTTP; brackets of an
 * IPv6 URL host taken off), or `null` (UNIX sockets, FIFOs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ipHostOf } from "./address.ts";
 * assert.equal(ipHostOf({ kind: "tcp", host: "0.0.0.0", port: 2049 }), "0.0.0.0");
 * assert.equal(ipHostOf({ kind: "http", url: "http://[::]:8888/mi" }), "::");
 * assert.equal(ipHostOf({ kind: "unix", path: "/run/x.sock" }), null);
 * ```
 */
export function ipHostOf(address: AnyAddress): string | null {
  if (address.kind === "udp" || address.kind === "tcp") return address.host;
  if (address.kind === "http") return new URL(address.url).hostname.replace(/^\[|\]$/g, "");
  return null;
}
