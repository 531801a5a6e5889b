/**
 * The built-ins of Kamailio 5.6 in its names and layouts, for binrpc (`ctl`)
 * and Kamailio-flavoured JSON-RPC (`jsonrpcs`): the `core.*` and `system.*`
 * methods of `core_cmd.c` and the `stats.*` methods of `kex`.
 *
 * How results map onto the wire: a Kamailio method adds values one by one.
 * A method that may add several (Kamailio's `RET_ARRAY`) returns them as an
 * array: binrpc writes its items as the reply's flat list of records,
 * jsonrpcs as a JSON array (`[]` when empty). Any other method returns its
 * single value, or nothing (binrpc: an empty reply; jsonrpcs: `{}`).
 *
 * @module
 */
import { Members, type Value } from "../../../protocol/value.ts";
import type { AnyAddress } from "../../../transport/types.ts";
import { RpcError } from "../../rpc_error.ts";
import type { CommandRegistry } from "../../registry.ts";
import type { BuiltinHost } from "../host.ts";
import { ctime } from "../_ctime.ts";
import { registerBuiltinTable } from "../_register_builtins.ts";
import { Scanner } from "./_scan.ts";
import { type KamailioMethod, statisticsMethods } from "./_statistics.ts";

/** What Kamailio calls the stand-in's only process (`core.ps`, `core.psx`). */
const PROCESS_DESCRIPTION = "midgram";
/** The signal `core.kill` sends when given none (SIGTERM). */
const SIGTERM = 15;

/** Options of {@linkcode registerKamailioBuiltins}. */
export interface KamailioBuiltinOptions {
  /** Built-in names not to register. */
  disable?: string[];
}

/** How ctl names the protocol of its sockets, per dialect. */
const CTL_PROTOCOLS: Readonly<Record<string, string>> = { binrpc: "binrpc", ctlfifo: "fifo" };

const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** How ctl names a socket: its transport, then its address and port (`""` for a path). */
function ctlSocket(address: AnyAddress): Value[] {
  switch (address.kind) {
    case "unix-stream":
      return ["unix_stream", address.path, ""];
    case "unix":
      return ["unix_dgram", address.path, ""];
    case "udp":
      return ["udp", address.host, address.port];
    case "tcp":
      return ["tcp", address.host, address.port];
    case "fifo":
      return ["fifo", address.path, ""];
    default:
      return ["unknown", "", ""];
  }
}

/** A client of a stream socket as ctl names it (anonymous UNIX clients have no path). */
function ctlPeer(peer: AnyAddress | null): Value[] {
  if (peer && (peer.kind === "tcp" || peer.kind === "udp")) return [peer.host, peer.port];
  if (peer && (peer.kind === "unix" || peer.kind === "unix-stream") && peer.path) {
    return [peer.path, ""];
  }
  return ["<anonymous unix socket>", ""];
}

function coreMethods(host: BuiltinHost): KamailioMethod[] {
  const info = host.host;
  return [
    {
      name: "system.listMethods",
      help: "Lists all RPC methods supported by the server.",
      // Kamailio keeps its methods sorted by name.
      handler: (_params, ctx) => [...ctx.commands()].sort(byBytes),
    },
    {
      name: "system.methodSignature",
      help: "Returns signature of given method.",
      handler: () => {
        throw new RpcError(500, "Not Implemented Yet");
      },
    },
    {
      name: "system.methodHelp",
      help: "Print the help string for given method.",
      handler: (params, ctx) => {
        const name = new Scanner(params, ctx).string();
        if (name === undefined) throw new RpcError(400, "Method Name Expected");
        const text = ctx.commands().includes(name) ? ctx.help(name) : undefined;
        if (text === undefined) throw new RpcError(400, "command not found");
        return text === "" ? "undocumented" : text;
      },
    },
    {
      name: "core.echo",
      help: "Returns back its parameters.",
      handler: (params, ctx) => {
        const scanner = new Scanner(params, ctx);
        const out: string[] = [];
        for (let s = scanner.text(); s !== undefined; s = scanner.text()) out.push(s);
        return scanner.orFault(out);
      },
    },
    {
      name: "core.version",
      help: "Returns the version string of the server.",
      handler: () => host.version,
    },
    {
      name: "core.info",
      help: "Verbose info, including version number, compile flags, compiler,repository hash etc.",
      handler: () =>
        new Members([
          ["version", host.version],
          ["id", "unknown"],
          ["compiler", info.runtime],
          ["compiled", ""],
          ["flags", ""],
        ]),
    },
    {
      name: "ctl.listen",
      help: "List ctl listen sockets",
      // Per ctl socket: protocol (binrpc, or fifo for ctl's FIFO protocol), transport,
      // then address and port ("" for a path).
      handler: () =>
        (host.servedSockets?.() ?? []).filter((l) => CTL_PROTOCOLS[l.dialect] !== undefined)
          .flatMap((l) => [CTL_PROTOCOLS[l.dialect], ...ctlSocket(l.address)]),
    },
    {
      name: "ctl.who",
      help: "List open ctl connections",
      handler: () =>
        (host.openConnections?.() ?? []).filter((c) => c.dialect === "binrpc").flatMap((c) => [
          "binrpc",
          ...ctlSocket(c.local).slice(0, 1),
          ...ctlPeer(c.peer),
          ...ctlSocket(c.local).slice(1),
        ]),
    },
    {
      name: "core.uptime",
      help: "Returns uptime of SIP server.",
      handler: () => {
        const now = info.now();
        const seconds = Math.floor((now.getTime() - host.startedAt.getTime()) / 1000);
        return { now: ctime(now), up_since: ctime(host.startedAt), uptime: Math.max(0, seconds) };
      },
    },
    {
      name: "core.ps",
      help: "Returns the description of running processes.",
      handler: () => [info.pid, PROCESS_DESCRIPTION],
    },
    {
      name: "core.psx",
      help: "Returns the detailed description of running processes.",
      handler: () => [{ IDX: 0, PID: info.pid, DSC: PROCESS_DESCRIPTION }],
    },
    {
      name: "core.pwd",
      help: "Returns the working directory of server.",
      handler: () => [info.cwd()],
    },
    {
      name: "core.arg",
      help: "Returns the list of command line arguments used on startup.",
      handler: () => [...info.argv],
    },
    {
      name: "core.kill",
      help: "Sends the given signal to server.",
      handler: (params, ctx): Value | undefined => {
        const signal = new Scanner(params, ctx).int() ?? SIGTERM;
        // Kamailio answers first, then signals its processes; signal 0 only probes.
        if (signal !== 0) ctx.afterReply(() => info.onKill?.());
        return undefined;
      },
    },
  ];
}

/** Every Kamailio built-in name, in registration order. */
export const KAMAILIO_BUILTINS: readonly string[] = [
  "system.listMethods",
  "system.methodSignature",
  "system.methodHelp",
  "core.echo",
  "core.version",
  "core.info",
  "ctl.listen",
  "ctl.who",
  "core.uptime",
  "core.ps",
  "core.psx",
  "core.pwd",
  "core.arg",
  "core.kill",
  "stats.get_statistics",
  "stats.fetch",
  "stats.fetchn",
  "stats.reset_statistics",
  "stats.clear_statistics",
];

/**
 * Registers the Kamailio 5.6 built-ins (those of {@linkcode KAMAILIO_BUILTINS}
 * not disabled). Throws TypeError for an unknown name in `disable`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandRegistry } from "../../registry.ts";
 * import { CacheStore } from "../cache_store.ts";
 * import { registerKamailioBuiltins } from "./register.ts";
 *
 * const registry = new CommandRegistry();
 * registerKamailioBuiltins(registry, {
 *   host: { pid: 42, cwd: () => "/", argv: ["midgram"], runtime: "node 20", now: () => new Date() },
 *   startedAt: new Date(),
 *   version: "midgram 0.2.0 (node 20.20.2)",
 *   stats: () => ({}),
 *   resetStats: () => [],
 *   cache: new CacheStore(() => Date.now()),
 * }, { disable: ["core.kill"] });
 * assert.equal(registry.get("core.version")?.help, "Returns the version string of the server.");
 * assert.equal(registry.get("core.kill"), undefined);
 * ```
 */
export function registerKamailioBuiltins(
  registry: CommandRegistry,
  host: BuiltinHost,
  options: KamailioBuiltinOptions = {},
): void {
  registerBuiltinTable(registry, "Kamailio", KAMAILIO_BUILTINS, options.disable ?? [], () => [
    ...coreMethods(host),
    ...statisticsMethods(host),
  ]);
}
