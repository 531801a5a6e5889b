/**
 * kamcmd's reading of `-s ADDRESS` (its `parse_listen_id()`), kept apart
 * from midgram's own address syntax because a drop-in must accept, refuse
 * and default exactly as kamcmd does.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** The socket kinds kamcmd knows. */
export type KamcmdProto = "udp" | "tcp" | "unixs" | "unixd";

/** An address as kamcmd reads it: a host name or path, and a port (0: none given). */
export interface KamcmdAddress {
  proto: KamcmdProto;
  name: string;
  port: number;
}

/** kamcmd's socket when `-s` is not given (Debian's build: `RUN_DIR` ends in a slash). */
export const KAMCMD_DEFAULT_SOCKET = "unixs:/var/run/kamailio//kamailio_ctl";

/** The port kamcmd uses for `udp:` and `tcp:` without one (ctl's `DEFAULT_CTL_PORT`). */
export const KAMCMD_DEFAULT_PORT = 2049;

const PROTOS: Record<string, KamcmdProto> = {
  tcp: "tcp",
  udp: "udp",
  unixd: "unixd",
  unix: "unixs",
  unixs: "unixs",
};

/** `str2s()`: up to five digits, wrapping at 2^16 like an unsigned short; null otherwise. */
function shortPort(text: string): number | null {
  if (!/^[0-9]{0,5}$/.test(text)) return null;
  return Number(text || "0") % 65536;
}

/** `getservbyname()` from /etc/services; null when the name is not there. */
function serviceByName(name: string, proto: KamcmdProto): number | null {
  let text: string;
  try {
    text = readFileSync("/etc/services", "utf8");
  } catch {
    return null;
  }
  const want = proto === "tcp" || proto === "udp" ? proto : null;
  for (const raw of text.split("\n")) {
    const words = raw.replace(/#.*/, "").trim().split(/\s+/);
    const m = /^(\d+)\/(\w+)$/.exec(words[1] ?? "");
    if (!m || (want !== null && m[2] !== want)) continue;
    if (words[0] === name || words.slice(2).includes(name)) return Number(m[1]) % 65536;
  }
  return null;
}

/** kamcmd's IPv6 branch, which accepts only `[]` (then `:PORT` or nothing): name and port. */
function bracketed(text: string): [string, string | null] | null {
  if (!text.startsWith("[]")) return null;
  const after = text.slice(2);
  if (after !== "" && !after.startsWith(":")) return null;
  return ["[]", after.slice(1) || null];
}

/**
 * Parses `[proto:]name[:port]` as kamcmd 5.6 does, or returns null where
 * kamcmd says `error parsing server socket address`. The protocol is
 * `tcp`, `udp`, `unixd`, `unix`/`unixs` (any case); without one, a port
 * means UDP, and anything else takes `defaultProto` (kamcmd's UNIX stream,
 * or UDP with `-U`: so `localhost` alone is a relative socket path). The
 * port is up to five digits or a service name; `tcp:3012` means host `*`
 * (which then cannot be resolved); a bracketed IPv6 host is refused (a
 * quirk of kamcmd's parser); port 0 is left for the caller to default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKamcmdAddress } from "./_kamcmd_address.ts";
 * assert.deepEqual(parseKamcmdAddress("127.0.0.1:2046"), { proto: "udp", name: "127.0.0.1", port: 2046 });
 * assert.deepEqual(parseKamcmdAddress("tcp:localhost"), { proto: "tcp", name: "localhost", port: 0 });
 * assert.equal(parseKamcmdAddress("udp:[::1]:2046"), null);
 * ```
 */
export function parseKamcmdAddress(
  text: string,
  defaultProto: KamcmdProto = "unixs",
): KamcmdAddress | null {
  // C strings end at a NUL.
  const s = text.split("\0")[0];
  let proto: KamcmdProto | null = null;
  let name: string;
  let portText: string | null = null;
  const colon = s.indexOf(":");
  if (s.startsWith("[")) {
    const v6 = bracketed(s);
    if (v6 === null) return null;
    [name, portText] = v6;
  } else if (colon < 0) {
    name = s;
  } else {
    const known = PROTOS[s.slice(0, colon).toLowerCase()];
    if (known === undefined) {
      name = s.slice(0, colon);
      portText = s.slice(colon + 1) || null;
    } else {
      proto = known;
      const rest = s.slice(colon + 1);
      if (rest.startsWith("[")) {
        const v6 = bracketed(rest);
        if (v6 === null) return null;
        [name, portText] = v6;
      } else {
        const c = rest.indexOf(":");
        name = c < 0 ? rest : rest.slice(0, c);
        portText = c < 0 ? null : rest.slice(c + 1) || null;
      }
    }
  }
  if (proto === null) {
    if (portText !== null) {
      proto = defaultProto === "tcp" || defaultProto === "udp" ? defaultProto : "udp";
    } else if (name.includes("/")) {
      proto = defaultProto === "tcp" || defaultProto === "udp" ? "unixs" : defaultProto;
    } else proto = defaultProto;
  }
  let port = 0;
  if (portText !== null) {
    const n = shortPort(portText) ?? serviceByName(portText, proto);
    if (n === null) return null;
    port = n;
  } else if (proto === "tcp" || proto === "udp") {
    const n = shortPort(name);
    if (n !== null) {
      port = n;
      name = "*";
    }
  }
  return { proto, name, port };
}
