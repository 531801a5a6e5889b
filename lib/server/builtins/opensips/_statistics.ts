/**
 * `get_statistics`, `list_statistics`, `reset_statistics`,
 * `reset_all_statistics` as OpenSIPS 3.6's `statistics.c` answers them, over
 * the host's counters (`group:name` → value; the group is OpenSIPS's module).
 *
 * @module
 */
import { Members, type Value } from "../../../protocol/value.ts";
import { RpcError } from "../../rpc_error.ts";
import type { BuiltinHost } from "../host.ts";
import { RecipeParams } from "./_params.ts";
import type { OpenSipsBuiltin } from "./_spec.ts";

interface Stat {
  /** `group:name`, the host's key. */
  key: string;
  group: string;
  name: string;
  value: number;
}

/** The counters, groups in the order they first appear, each group's counters in order. */
function table(host: BuiltinHost): Stat[] {
  const byGroup = new Map<string, Stat[]>();
  for (const [key, value] of Object.entries(host.stats())) {
    const colon = key.indexOf(":");
    const group = colon < 0 ? "" : key.slice(0, colon);
    const stat = { key, group, name: key.slice(colon + 1), value };
    const list = byGroup.get(group);
    if (list) list.push(stat);
    else byGroup.set(group, [stat]);
  }
  return [...byGroup.values()].flat();
}

// OpenSIPS matches group and counter names without regard to case.
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A `group:` selector (at least one character before the colon), or undefined. */
function groupOf(selector: string): string | undefined {
  return selector.length > 1 && selector.endsWith(":") ? selector.slice(0, -1) : undefined;
}

/** The counters of a group, matched without regard to case, or undefined when there is none. */
function inGroup(stats: Stat[], group: string): Stat[] | undefined {
  const first = stats.find((s) => same(s.group, group));
  return first ? stats.filter((s) => s.group === first.group) : undefined;
}

/** A single counter by its bare name (OpenSIPS never takes `group:name` here). */
function byName(stats: Stat[], name: string): Stat | undefined {
  return stats.find((s) => same(s.name, name));
}

const notFound = () => new RpcError(404, "Statistics Not Found");
const STATISTICS = [["statistics"]];

/** The statistics built-ins. */
export function statisticsBuiltins(host: BuiltinHost): OpenSipsBuiltin[] {
  return [
    {
      name: "get_statistics",
      module: "statistics",
      help: "prints the current values of counters: all, a group (group:) or one counter",
      recipes: STATISTICS,
      handler: (params) => {
        const selectors = new RecipeParams(params, STATISTICS).strings("statistics");
        const stats = table(host);
        const out: [string, Value][] = [];
        let found = false;
        for (const selector of selectors) {
          const group = groupOf(selector);
          let picked: Stat[];
          if (selector === "all") picked = stats;
          else if (group !== undefined) {
            const members = inGroup(stats, group);
            if (!members) continue;
            picked = members;
          } else {
            const stat = byName(stats, selector);
            if (!stat) continue;
            picked = [stat];
          }
          found = true;
          for (const s of picked) out.push([`${s.group}:${s.name}`, s.value]);
        }
        if (!found) throw notFound();
        return new Members(out);
      },
    },
    {
      name: "list_statistics",
      module: "statistics",
      help: "lists the counters and whether each is incremental",
      recipes: [[], ["statistics"]],
      handler: (params) => {
        const stats = table(host);
        const kind = "incremental";
        if (!new RecipeParams(params, STATISTICS).has("statistics")) {
          return new Members(stats.map((s) => [`${s.group}:${s.name}`, kind]));
        }
        const selectors = new RecipeParams(params, STATISTICS).strings("statistics");
        const out: [string, Value][] = [];
        let found = false;
        for (const selector of selectors) {
          const group = groupOf(selector);
          if (group !== undefined) {
            const members = inGroup(stats, group);
            if (!members) continue;
            found = true;
            for (const s of members) out.push([`${s.group}:${s.name}`, kind]);
          } else {
            const stat = byName(stats, selector);
            if (!stat) continue;
            found = true;
            // A single counter is listed by its bare name.
            out.push([stat.name, kind]);
          }
        }
        if (!found) throw notFound();
        return new Members(out);
      },
    },
    {
      name: "reset_statistics",
      module: "statistics",
      help: "resets counters, each given by its name",
      recipes: STATISTICS,
      handler: (params) => {
        const names = new RecipeParams(params, STATISTICS).strings("statistics");
        const stats = table(host);
        const keys = names.map((n) => byName(stats, n)?.key).filter((k) => k !== undefined);
        if (keys.length === 0) throw notFound();
        host.resetStats([...new Set(keys)]);
        return "OK";
      },
    },
    {
      name: "reset_all_statistics",
      module: "statistics",
      help: "resets every counter",
      recipes: [[]],
      handler: () => {
        host.resetStats();
        return "OK";
      },
    },
  ];
}
