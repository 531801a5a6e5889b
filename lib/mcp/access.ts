/**
 * Which methods an assistant may run: every method of OpenSIPS 3, OpenSIPS
 * 2.4 and Kamailio that midgram knows is classified `read` (it only reports)
 * or `write` (it changes the server, its data or its calls) by one table;
 * a method not in the table is a write. A write runs only when the operator
 * allowed it (`--allow-write METHOD`, a glob such as `htable.*`, or
 * `allow_write` in the config); a method that stops the server runs only
 * when named exactly, never through a glob.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accessOf, decideAccess } from "./access.ts";
 * assert.equal(accessOf("core.version"), "read");
 * assert.equal(accessOf("ul.rm"), "write");
 * assert.equal(accessOf("no.such.method"), "write");
 * assert.equal(decideAccess("htable.sets", ["htable.*"]).allowed, true);
 * assert.equal(decideAccess("core.kill", ["core.*"]).allowed, false);
 * assert.equal(decideAccess("core.kill", ["core.kill"]).allowed, true);
 * ```
 *
 * @module
 */

/** What a method does to the server. */
export type Access = "read" | "write";

/**
 * Methods that only report. OpenSIPS 3 (`mi_*` modules), OpenSIPS 2.4 (the
 * same names over text MI) and Kamailio's RPC methods of the modules a SIP
 * server usually loads.
 */
const READ_METHODS: readonly string[] = [
  // OpenSIPS core (3.x and 2.4)
  "version",
  "uptime",
  "which",
  "help",
  "ps",
  "pwd",
  "arg",
  "get_statistics",
  "list_statistics",
  "list_tcp_conns",
  "cache_fetch",
  "events_list",
  "subscribers_list",
  "shm_check",
  "mem_pkg_dump",
  "mem_shm_dump",
  "mem_rpm_dump",
  "list_blacklists",
  "check_blacklists",
  "get_log_level",
  // OpenSIPS modules
  "dlg_list",
  "dlg_list_ctx",
  "list_all_profiles",
  "profile_get_size",
  "profile_list_dlgs",
  "profile_get_values",
  "ds_list",
  "ul_dump",
  "ul_show_contact",
  "lb_list",
  "lb_status",
  "dr_gw_status",
  "dr_carrier_status",
  "dr_number_routing",
  "address_dump",
  "subnet_dump",
  "allow_uri",
  "domain_dump",
  "dp_translate",
  "dp_show_partition",
  "t_hash",
  "tls_list",
  "rtpengine_show",
  "rtpproxy_show",
  "nh_enable_ping_status",
  "clusterer_list",
  "clusterer_list_topology",
  "clusterer_list_shtags",
  "clusterer_list_cap",
  "get_pipes",
  "get_pipes_size",
  "get_pipe",
  "rl_list",
  "fraud_show",
  "stir_shaken_ca_list",
  // Kamailio core and ctl
  "core.version",
  "core.uptime",
  "core.echo",
  "core.ps",
  "core.psx",
  "core.pwd",
  "core.arg",
  "core.info",
  "core.flags",
  "core.prints",
  "core.printi",
  "core.sprintf",
  "core.tcp_info",
  "core.tcp_options",
  "core.tcp_list",
  "core.udp4_raw_info",
  "core.shmmem",
  "core.sctp_info",
  "core.sctp_options",
  "core.aliases_list",
  "core.sockets_list",
  "core.modules",
  "core.ppdefines",
  "core.ppdefines_full",
  "ctl.listen",
  "ctl.who",
  "ctl.connections",
  "system.listMethods",
  "system.methodHelp",
  "system.methodSignature",
  "stats.get_statistics",
  "stats.fetch",
  "stats.fetchn",
  "pkg.stats",
  "pkg.info",
  "shm.stats",
  "shm.info",
  "mod.stats",
  "dns.mem_info",
  "dns.debug",
  "dns.debug_all",
  "dns.view",
  "dst_blacklist.view",
  "dst_blacklist.debug",
  "cfg.get",
  "cfg.help",
  "cfg.list",
  "cfg.diff",
  // Kamailio modules
  "dispatcher.list",
  "dispatcher.hash",
  "ul.dump",
  "ul.lookup",
  "ul.db_users",
  "ul.db_contacts",
  "ul.db_expired_contacts",
  "htable.dump",
  "htable.get",
  "htable.listTables",
  "htable.stats",
  "dlg.list",
  "dlg.list_ctx",
  "dlg.list_match",
  "dlg.list_match_ctx",
  "dlg.dump_file",
  "dlg.stats_active",
  "dlg.profile_get_size",
  "dlg.profile_list",
  "dlg.briefing",
  "tm.stats",
  "tm.list",
  "tm.hash_stats",
  "sl.stats",
  "tmx.stats",
  "permissions.addressDump",
  "permissions.subnetDump",
  "permissions.domainDump",
  "permissions.trustedDump",
  "permissions.testUri",
  "domain.dump",
  "dialplan.dump",
  "dialplan.translate",
  "tls.info",
  "tls.list",
  "tls.options",
  "tls.kx_list",
  "rtpengine.show",
  "rtpengine.ping",
  "rtpproxy.list",
  "lcr.dump_gws",
  "lcr.dump_rules",
  "lcr.dump_rule_ids",
  "carrierroute.dump",
  "drouting.dump",
  "pike.top",
  "pipelimit.list",
  "pipelimit.stats",
  "ratelimit.get_pipes",
  "ratelimit.stats",
  "siptrace.status",
  "debugger.ls",
  "debugger.list",
  "mtree.list",
  "mtree.summary",
  "mtree.match",
  "presence.presentity_list",
  "presence.presentity_show",
  "pua.pua_list",
  "kex.stats",
  "corex.list_sockets",
  "corex.list_aliases",
  "corex.shm_summary",
  "corex.shm_status",
  "app_jsdt.api_list",
  "app_lua.api_list",
  "app_python3.api_list",
  "jsonrpc.echo",
  "counters.get",
  "counters.get_all",
  "counters.get_groups",
  "counters.get_names",
  "counters.get_varnames",
  "counters.help",
];

/** Methods that stop the server: allowed only when named exactly, never by a glob. */
const STOP_METHODS: readonly string[] = ["kill", "core.kill", "shutdown", "core.shutdown"];

const READS = new Set(READ_METHODS);

/**
 * Whether a method only reads (`read`) or may change the server (`write`):
 * the known reads of OpenSIPS and Kamailio; everything else is a write.
 */
export function accessOf(method: string): Access {
  return READS.has(method) ? "read" : "write";
}

/** Whether a method stops the server (`kill`, `core.kill`). */
export function stopsServer(method: string): boolean {
  return STOP_METHODS.includes(method);
}

/** A glob of the allow-list as a regular expression: `*` any text, `?` one character. */
function globPattern(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** What {@linkcode decideAccess} found. */
export interface AccessDecision {
  access: Access;
  allowed: boolean;
  /** Why a method was refused, for the assistant and the audit log. */
  reason?: string;
}

/**
 * Whether a method may run with the given allow-list of writes (method names
 * and globs). Reads always run; a write runs when a name or glob allows it;
 * a method that stops the server only when named exactly.
 */
export function decideAccess(method: string, allowWrite: readonly string[]): AccessDecision {
  const access = accessOf(method);
  if (access === "read") return { access, allowed: true };
  if (stopsServer(method)) {
    return allowWrite.includes(method) ? { access, allowed: true } : {
      access,
      allowed: false,
      reason: `"${method}" stops the server: it runs only when named exactly in --allow-write`,
    };
  }
  if (allowWrite.some((glob) => globPattern(glob).test(method))) return { access, allowed: true };
  return {
    access,
    allowed: false,
    reason: `"${method}" may change the server (not a known read method): ` +
      `allow it with --allow-write ${method} (or allow_write in [mcp])`,
  };
}
