/**
 * CIDR allow lists for IP peers (UDP, TCP, HTTP), IPv4 and IPv6 (v4-mapped
 * v6 addresses match v4 ranges).
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import { ipHostOf } from "../transport/address.ts";
import type { AnyAddress } from "../transport/types.ts";

interface Range {
  bytes: Uint8Array;
  prefix: number;
  text: string;
}

function parseV4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) return null;
    out[i] = Number(parts[i]);
  }
  return out;
}

function parseV6(text: string): Uint8Array | null {
  let head = text;
  let v4: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return null;
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const words = (s: string) => (s === "" ? [] : s.split(":"));
  const left = words(halves[0]);
  const right = halves.length === 2 ? words(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(all[i])) return null;
    const w = parseInt(all[i], 16);
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

/** The bytes of an IP address (v4-mapped v6 as v4), or null. */
export function ipBytes(host: string): Uint8Array | null {
  const v4 = parseV4(host);
  if (v4) return v4;
  const v6 = parseV6(host.replace(/%.*$/, ""));
  if (v6 && v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) {
    return v6.slice(12);
  }
  return v6;
}

/**
 * Parses CIDR ranges (`127.0.0.0/8`, `::1/128`, or a bare address).
 *
 * @throws {MidgramError} `usage` naming the bad range.
 */
export function parseAllowList(list: readonly string[]): Range[] {
  return list.map((text) => {
    const [ip, prefixText, extra] = text.split("/");
    const bytes = ipBytes(ip);
    const max = bytes ? bytes.length * 8 : 0;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (
      !bytes || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max ||
      (prefixText !== undefined && !/^\d+$/.test(prefixText))
    ) {
      throw new MidgramError(
        "usage",
        `Cannot parse allowed range "${text}": expected an address/prefix such as 127.0.0.0/8`,
      );
    }
    return { bytes, prefix, text };
  });
}

/** Whether `host` is inside one of the ranges. */
export function isAllowed(ranges: readonly Range[], host: string): boolean {
  const bytes = ipBytes(host);
  if (!bytes) return false;
  return ranges.some((r) => {
    if (r.bytes.length !== bytes.length) return false;
    let bits = r.prefix;
    for (let i = 0; bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((r.bytes[i] & mask) !== (bytes[i] & mask)) return false;
    }
    return true;
  });
}

/**
 * The one test of a peer against an allow-list, for every socket: an IP
 * peer (UDP, TCP, HTTP) must be inside a range; a peer without an IP
 * address (UNIX sockets, FIFOs: guarded by their file mode) passes.
 */
export function admitsPeer(ranges: readonly Range[]): (peer: AnyAddress | null) => boolean {
  return (peer) => {
    if (peer === null) return true;
    const host = ipHostOf(peer);
    return host === null || isAllowed(ranges, host);
  };
}

/** Whether an IP address is a loopback address. */
export function isLoopback(host: string): boolean {
  const bytes = ipBytes(host);
  if (!bytes) return host === "localhost";
  if (bytes.length === 4) return bytes[0] === 127;
  return bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}
