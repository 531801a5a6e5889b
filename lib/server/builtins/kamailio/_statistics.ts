/**
 * `stats.get_statistics`, `stats.fetch`, `stats.fetchn`,
 * `stats.reset_statistics`, `stats.clear_statistics` as Kamailio 5.6's `kex`
 * module answers them, over the host's counters (`group:name` → value).
 *
 * @module
 */
import { Double, Members, type Value } from "../../../protocol/value.ts";
import { RpcError } from "../../rpc_error.ts";
import type { Handler, HandlerContext } from "../../types.ts";
import type { BuiltinHost } from "../host.ts";
import { Scanner } from "./_scan.ts";

interface Stat {
  key: string;
  group: string;
  name: string;
}

const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The counters as Kamailio iterates them: groups sorted, counters sorted in each. */
function table(host: BuiltinHost): Stat[] {
  return Object.keys(host.stats()).map((key) => {
    const colon = key.indexOf(":");
    return { key, group: colon < 0 ? "" : key.slice(0, colon), name: key.slice(colon + 1) };
  }).sort((a, b) => byBytes(a.group, b.group) || byBytes(a.name, b.name));
}

/**
 * The counters one selector names, as `kex` reads it: `all`, `group:` or a
 * bare counter name (case sensitive). `dotted` also takes `group.name` and
 * `group:name` (what `stats.fetch` accepts).
 */
function select(stats: Stat[], selector: string, dotted: boolean): Stat[] {
  if (selector === "all") return stats;
  if (selector === "") return [];
  if (selector.endsWith(":")) return stats.filter((s) => s.group === selector.slice(0, -1));
  const bare = stats.find((s) => s.name === selector);
  if (bare) return [bare];
  if (!dotted) return [];
  const at = selector.includes(".") ? selector.indexOf(".") : selector.indexOf(":");
  if (at < 0) return [];
  const stat = stats.find((s) => s.name === selector.slice(at + 1));
  return stat && stat.group === selector.slice(0, at) ? [stat] : [];
}

/** The selectors of a call: the first is required (else `fault`), reading stops at a non-string. */
function selectors(scanner: Scanner, fault: string): string[] {
  const first = scanner.string();
  if (first === undefined) throw new RpcError(400, fault);
  const out = [first];
  for (let s = scanner.string(); s !== undefined; s = scanner.string()) out.push(s);
  return out;
}

const WHICH = "Please provide which stats to retrieve";
const NAME = "Please provide stats name";

/** One statistics method: its name, `system.methodHelp` text and handler. */
export interface KamailioMethod {
  name: string;
  help: string;
  handler: Handler;
}

/** The statistics methods. */
export function statisticsMethods(host: BuiltinHost): KamailioMethod[] {
  const scan = (params: Parameters<Handler>[0], ctx: HandlerContext) => new Scanner(params, ctx);
  const fetch = (numeric: boolean): Handler => (params, ctx) => {
    const wanted = selectors(scan(params, ctx), WHICH);
    const stats = table(host);
    const values = host.stats();
    const out: [string, Value][] = [];
    for (const selector of wanted) {
      for (const s of select(stats, selector, true)) {
        const value = values[s.key];
        out.push([`${s.group}.${s.name}`, numeric ? new Double(value) : String(value)]);
      }
    }
    return new Members(out);
  };
  const reset = (verbose: boolean): Handler => (params, ctx) => {
    const scanner = scan(params, ctx);
    const wanted = selectors(scanner, NAME);
    const lines: string[] = [];
    for (const selector of wanted) {
      const stats = select(table(host), selector, false);
      for (const s of stats) {
        const before = host.stats()[s.key];
        host.resetStats([s.key]);
        const after = host.stats()[s.key];
        const tail = before === after ? "" : ` (${before})`;
        lines.push(`${s.group}:${s.name} = ${after}${tail}`);
      }
    }
    if (!verbose || lines.length === 0) return scanner.orFault(undefined);
    // Not a RET_ARRAY method: jsonrpcs keeps only the last value added.
    return ctx.dialect === "jsonrpc" ? lines[lines.length - 1] : lines;
  };
  return [
    {
      name: "stats.get_statistics",
      help: "get core and modules stats",
      handler: (params, ctx) => {
        const scanner = scan(params, ctx);
        const wanted = selectors(scanner, WHICH);
        const stats = table(host);
        const values = host.stats();
        return scanner.orFault(
          wanted.flatMap((selector) =>
            select(stats, selector, false).map((s) => `${s.group}:${s.name} = ${values[s.key]}`)
          ),
        );
      },
    },
    {
      name: "stats.fetch",
      help: "fetch core and modules stats as string values",
      handler: fetch(false),
    },
    {
      name: "stats.fetchn",
      help: "fetch core and modules stats as number values",
      handler: fetch(true),
    },
    {
      name: "stats.reset_statistics",
      help: "reset core and modules stats (silent operation)",
      handler: reset(false),
    },
    {
      name: "stats.clear_statistics",
      help: "clear core and modules stats (verbose operation)",
      handler: reset(true),
    },
  ];
}
