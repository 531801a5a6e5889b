/**
 * RPC mappings: what else users scrape (dispatcher destinations, dialog
 * counts, tm and sl counters) as `[[exporter.rpc]]` tables that say which
 * method to call and how its reply becomes samples. Pure.
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import type { Params, Value } from "../protocol/value.ts";
import { isStruct, structEntries } from "../protocol/value.ts";
import { fromMiNodes, pick, walk } from "./path.ts";
import {
  counterName,
  LABEL_NAME,
  METRIC_NAME,
  type MetricType,
  type Sample,
  sanitizeName,
} from "./sample.ts";
import type { ServerKind } from "./server_kind.ts";
import { numberOf } from "./statistics.ts";

/** One RPC and how its reply becomes samples. */
export interface RpcMapping {
  /** The method called. */
  method: string;
  /** Its parameters; default none. */
  params?: Params;
  /** The servers it is asked of: `opensips` (2.4 and 3), `opensips-2.4`, `kamailio`; default all. */
  servers?: Array<ServerKind | "opensips">;
  /** The metric name (with `members`: the prefix of each member's name). */
  metric: string;
  type: MetricType;
  help?: string;
  /** Where the items are: a path whose `[]`s go through lists; default the reply itself. */
  each?: string;
  /**
   * Each item is a struct of numbers: one sample per member (all, or the
   * ones listed), named `METRIC_MEMBER`, or `METRIC` with the member's name
   * in the label `memberLabel`.
   */
  members?: true | string[];
  memberLabel?: string;
  /** Label name → path of its value (a `[]` stands for the item's own index there). */
  labels?: Record<string, string>;
  /** Path of the value; default the item itself. */
  value?: string;
  /** Text values → numbers: the first regular expression (source) that matches gives the value. */
  valueMap?: Array<[string, number]>;
  /** Instead of values: one sample, the number of items. */
  count?: boolean;
}

/** Whether a mapping is asked of a server of this kind. */
export function mappingApplies(mapping: RpcMapping, kind: ServerKind): boolean {
  if (!mapping.servers || mapping.servers.length === 0) return true;
  return mapping.servers.some((s) =>
    s === kind || (s === "opensips" && (kind === "opensips" || kind === "opensips-2.4"))
  );
}

/** Checks a mapping; throws a `MidgramError` `config` naming the problem. */
export function checkMapping(mapping: RpcMapping): void {
  if (!METRIC_NAME.test(mapping.metric)) {
    throw new MidgramError("config", `Invalid metric name "${mapping.metric}"`);
  }
  for (const name of [...Object.keys(mapping.labels ?? {}), mapping.memberLabel ?? "x"]) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) {
      throw new MidgramError("config", `Invalid label name "${name}"`);
    }
  }
  for (const [source] of mapping.valueMap ?? []) new RegExp(source);
}

function text(value: Value | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const n = numberOf(value);
  return n === null ? JSON.stringify(value) : String(n);
}

function valueOf(raw: Value | undefined, mapping: RpcMapping): number | null {
  if (mapping.valueMap && raw !== undefined) {
    const t = text(raw);
    for (const [source, n] of mapping.valueMap) if (new RegExp(source).test(t)) return n;
    return null;
  }
  return numberOf(raw);
}

/**
 * The samples a mapping makes of a reply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mappingSamples } from "./mapping.ts";
 * const { samples } = mappingSamples({ method: "dlg.stats_active", metric: "kamailio_dialogs", type: "gauge",
 *   members: true, memberLabel: "state" }, { starting: 0, all: 2 }, {});
 * assert.deepEqual(samples.map((s) => s.value), [0, 2]);
 * ```
 */
export function mappingSamples(
  mapping: RpcMapping,
  reply: Value,
  labels: Readonly<Record<string, string>>,
): { samples: Sample[]; skipped: number } {
  const root = fromMiNodes(reply);
  const named = (name: string) => mapping.type === "counter" ? counterName(name) : name;
  const help = mapping.help ?? `Reply of ${mapping.method}`;
  const items = walk(root, mapping.each ?? "");
  if (mapping.count) {
    return {
      samples: [{
        name: named(mapping.metric),
        type: mapping.type,
        help,
        labels,
        value: items.length,
      }],
      skipped: 0,
    };
  }
  const samples: Sample[] = [];
  let skipped = 0;
  for (const item of items) {
    const own: Record<string, string> = { ...labels };
    for (const [label, path] of Object.entries(mapping.labels ?? {})) {
      own[label] = text(pick(root, path, item.indices));
    }
    if (mapping.members) {
      const entries = isStruct(item.value) ? structEntries(item.value) : [];
      const wanted = mapping.members === true ? null : new Set(mapping.members);
      for (const [member, raw] of entries) {
        if (wanted && !wanted.has(member)) continue;
        const value = valueOf(raw, mapping);
        if (value === null) {
          skipped++;
          continue;
        }
        samples.push(
          mapping.memberLabel
            ? {
              name: named(mapping.metric),
              type: mapping.type,
              help,
              labels: { ...own, [mapping.memberLabel]: member },
              value,
            }
            : {
              name: named(`${mapping.metric}_${sanitizeName(member).replace(/^_/, "")}`),
              type: mapping.type,
              help: `${help}: ${member}`,
              labels: own,
              value,
            },
        );
      }
      continue;
    }
    const raw = mapping.value === undefined ? item.value : pick(root, mapping.value, item.indices);
    const value = valueOf(raw, mapping);
    if (value === null) skipped++;
    else {samples.push({
        name: named(mapping.metric),
        type: mapping.type,
        help,
        labels: own,
        value,
      });}
  }
  return { samples, skipped };
}

const NONE: Params = { kind: "positional", values: [] };

/**
 * Ready mappings (documented in the README; `examples = [...]` in the config
 * turns them on by name).
 */
export const EXAMPLE_MAPPINGS: Readonly<Record<string, RpcMapping>> = {
  // Kamailio dispatcher: one sample per destination, 1 when active (flags "A…").
  "kamailio-dispatcher": {
    method: "dispatcher.list",
    params: NONE,
    servers: ["kamailio"],
    metric: "kamailio_dispatcher_target_up",
    type: "gauge",
    help: "Whether a dispatcher destination is active (flags start with A)",
    each: "RECORDS[].SET.TARGETS[].DEST",
    labels: { set: "RECORDS[].SET.ID", uri: "RECORDS[].SET.TARGETS[].DEST.URI" },
    value: "RECORDS[].SET.TARGETS[].DEST.FLAGS",
    valueMap: [["^A", 1], ["", 0]],
  },
  // Kamailio dialogs by state.
  "kamailio-dialogs": {
    method: "dlg.stats_active",
    params: NONE,
    servers: ["kamailio"],
    metric: "kamailio_dialogs",
    type: "gauge",
    help: "Dialogs in each state (dlg.stats_active)",
    members: true,
    memberLabel: "state",
  },
  // Kamailio transactions in memory now (the rest of tm.stats are counters).
  "kamailio-tm": {
    method: "tm.stats",
    params: NONE,
    servers: ["kamailio"],
    metric: "kamailio_tm",
    type: "gauge",
    help: "Transactions now (tm.stats)",
    members: ["current", "waiting"],
  },
  // OpenSIPS 3 dispatcher: one sample per destination, 1 when Active.
  "opensips-dispatcher": {
    method: "ds_list",
    params: NONE,
    servers: ["opensips"],
    metric: "opensips_dispatcher_target_up",
    type: "gauge",
    help: "Whether a dispatcher destination is active (state Active)",
    each: "PARTITIONS[].SETS[].Destinations[]",
    labels: {
      partition: "PARTITIONS[].name",
      set: "PARTITIONS[].SETS[].id",
      uri: "PARTITIONS[].SETS[].Destinations[].URI",
    },
    value: "PARTITIONS[].SETS[].Destinations[].state",
    valueMap: [["^Active$", 1], ["", 0]],
  },
};
