/** One kamcmd alias: a short name for a method, with the reply format it prints with. */
export interface KamcmdAlias {
  readonly name: string;
  readonly method: string;
  /** The `-f` format used when none is given (already unescaped), or null. */
  readonly format: string | null;
}

/**
 * kamcmd 5.6's alias table (`cmd_aliases[]`), in its order. An alias is
 * resolved before anything else; its format applies only without `-f`.
 * `uptime` is not an alias. The `dst_blacklist_*` aliases name methods that
 * Kamailio 5.6 renamed to `dst_blocklist.*`, so they get `command … not found`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KAMCMD_ALIASES } from "./kamcmd_aliases.ts";
 * const ps = KAMCMD_ALIASES.find((a) => a.name === "ps");
 * assert.deepEqual(ps, { name: "ps", method: "core.ps", format: "%v\t%v\n" });
 * ```
 */
export const KAMCMD_ALIASES: readonly KamcmdAlias[] = Object.freeze([
  { name: "ps", method: "core.ps", format: "%v\t%v\n" },
  { name: "psx", method: "core.psx", format: null },
  { name: "list", method: "system.listMethods", format: null },
  { name: "ls", method: "system.listMethods", format: null },
  { name: "ver", method: "core.version", format: null },
  { name: "version", method: "core.version", format: null },
  { name: "who", method: "ctl.who", format: "[%v] %v: %v %v -> %v %v\n" },
  { name: "listen", method: "ctl.listen", format: "[%v] %v: %v %v\n" },
  { name: "dns_mem_info", method: "dns.mem_info", format: "%v / %v\n" },
  {
    name: "dns_debug",
    method: "dns.debug",
    format: "%v (%v): size=%v ref=%v expire=%vs last=%vs ago f=%v\n",
  },
  {
    name: "dns_debug_all",
    method: "dns.debug_all",
    format:
      "%v (%v) [%v]: size=%v ref=%v expire=%vs last=%vs ago f=%v\n\t\t%v:%v expire=%vs f=%v\n",
  },
  { name: "dst_blacklist_mem_info", method: "dst_blacklist.mem_info", format: "%v / %v\n" },
  {
    name: "dst_blacklist_debug",
    method: "dst_blacklist.debug",
    format: "%v:%v:%v expire:%v flags: %v\n",
  },
].map((a) => Object.freeze(a)));
