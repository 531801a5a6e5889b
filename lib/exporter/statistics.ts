/**
 * Statistics replies → samples: `get_statistics all` (OpenSIPS 2.4 text MI
 * nodes `group:name:: value`; OpenSIPS 3 `{"group:name": n}`), Kamailio's
 * `stats.fetch all` (`{"group.name": "value"}`), and OpenSIPS's
 * `list_statistics` flags. Pure.
 *
 * Naming: `PREFIX_GROUP_NAME`, each part made valid by {@linkcode sanitizeName}
 * (`opensips_core_rcv_requests_total`, `kamailio_shmem_used_size`); counters
 * end in `_total`. Whether a statistic is a counter: OpenSIPS's own flag
 * when `list_statistics` answered, else {@linkcode isKnownGauge}.
 *
 * @module
 */
import { isStruct, type Struct, structEntries, type Value } from "../protocol/value.ts";
import { familyOf } from "../protocol/peer.ts";
import { meaningOf } from "./meanings.ts";
import { counterName, type MetricType, type Sample, sanitizeName } from "./sample.ts";
import { prefixOf, type ServerKind } from "./server_kind.ts";

/** One statistic as a server reports it. */
export interface Statistic {
  group: string;
  name: string;
  value: number;
}

/** A text MI reply node, as the MI client codec reads it. */
interface MiNode {
  name: string | null;
  value: string | null;
  attributes?: Struct;
  children?: MiNode[];
}

function isMiNode(value: unknown): value is MiNode {
  return typeof value === "object" && value !== null && "name" in value && "children" in value;
}

/** The number a statistic's value stands for, or `null`. */
export function numberOf(value: Value | undefined): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "object" && value !== null && "value" in value) {
    const inner = (value as { value: unknown }).value;
    return typeof inner === "number" && Number.isFinite(inner) ? inner : null;
  }
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/** Splits `group:name` (OpenSIPS) or `group.name` (Kamailio) at its first separator. */
export function splitStatName(key: string, kind: ServerKind): { group: string; name: string } {
  const at = key.indexOf(familyOf(kind).statistics.separator);
  return at < 0 ? { group: "", name: key } : { group: key.slice(0, at), name: key.slice(at + 1) };
}

/** The `name → value` pairs of a statistics reply in any of the layouts. */
export function replyPairs(value: Value): Array<readonly [string, Value]> {
  // binrpc: a list of records; one struct in it.
  if (Array.isArray(value)) {
    if (value.every(isMiNode)) {
      return (value as unknown as MiNode[]).filter((n) => n.name !== null)
        .map((n) => [n.name as string, n.value]);
    }
    return value.flatMap((v) => isStruct(v) ? structEntries(v) : []);
  }
  return isStruct(value) ? [...structEntries(value)] : [];
}

/**
 * Reads a statistics reply; values that are no numbers are skipped (counted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readStatistics } from "./statistics.ts";
 * assert.deepEqual(readStatistics({ "core:rcv_requests": 5 }, "opensips").statistics, [
 *   { group: "core", name: "rcv_requests", value: 5 },
 * ]);
 * ```
 */
export function readStatistics(
  value: Value,
  kind: ServerKind,
): { statistics: Statistic[]; skipped: number } {
  const statistics: Statistic[] = [];
  let skipped = 0;
  for (const [key, raw] of replyPairs(value)) {
    const n = numberOf(raw);
    if (n === null) {
      skipped++;
      continue;
    }
    statistics.push({ ...splitStatName(key, kind), value: n });
  }
  return { statistics, skipped };
}

/**
 * Reads `list_statistics`: `group:name` → whether it is a counter
 * (`incremental`) or not (`non-incremental`).
 */
export function readStatisticFlags(value: Value): Map<string, MetricType> {
  const flags = new Map<string, MetricType>();
  for (const [key, raw] of replyPairs(value)) {
    if (raw === "incremental") flags.set(key, "counter");
    else if (raw === "non-incremental") flags.set(key, "gauge");
  }
  return flags;
}

/**
 * Statistics that are levels, not counts, for servers that do not say
 * (Kamailio) or did not answer `list_statistics`: `GROUP:*` for a whole
 * group, else `GROUP:NAME`; `*` in a name matches any text. From the
 * servers' sources: the statistics they register with `STAT_NO_RESET` or
 * as functions of the current state.
 */
export const KNOWN_GAUGES: readonly string[] = [
  "shmem:*",
  "pkmem:*",
  "load:*",
  "net:*",
  "core:timestamp",
  "tcp:current_opened_connections",
  "tcp:current_write_queue_size",
  "dialog:active_dialogs",
  "dialog:early_dialogs",
  "tm:inuse_transactions",
  "tmx:active_transactions",
  "tmx:inuse_transactions",
  "usrloc:registered_users",
  "usrloc:*-users",
  "usrloc:*-contacts",
  "usrloc:location_users",
  "usrloc:location_contacts",
  "registrar:max_expires",
  "registrar:max_contacts",
  "registrar:default_expire",
  "registrar:default_expires",
  "dispatcher:*",
  "dns:*_count",
  "pike:*",
  "htable:*",
  "mod:*",
];

/** Whether `GROUP:NAME` matches one of the patterns of {@linkcode KNOWN_GAUGES}'s form. */
export function matchesStatPattern(patterns: readonly string[], group: string, name: string) {
  const key = `${group}:${name}`;
  return patterns.some((p) => {
    if (p === key || p === `${group}:*`) return true;
    if (!p.includes("*")) return false;
    const re = new RegExp(
      `^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`,
    );
    return re.test(key);
  });
}

/** Whether a statistic is a gauge by {@linkcode KNOWN_GAUGES} (and extra patterns). */
export function isKnownGauge(group: string, name: string, extra: readonly string[] = []) {
  return matchesStatPattern(KNOWN_GAUGES, group, name) || matchesStatPattern(extra, group, name);
}

/** Options of {@linkcode statisticSamples}. */
export interface StatisticSampleOptions {
  kind: ServerKind;
  /** The labels every sample gets (`target`, `dialect`). */
  labels: Readonly<Record<string, string>>;
  /** OpenSIPS's flags, by `group:name`, when `list_statistics` answered. */
  flags?: ReadonlyMap<string, MetricType>;
  /** More `GROUP:NAME` patterns to treat as gauges (config `gauges`). */
  gauges?: readonly string[];
  /** The metric name prefix; default `opensips` or `kamailio` by kind. */
  prefix?: string;
}

/**
 * The metric name of a statistic.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statisticMetricName } from "./statistics.ts";
 * assert.equal(statisticMetricName("kamailio", "usrloc", "location-users", "gauge"), "kamailio_usrloc_location_users");
 * assert.equal(statisticMetricName("opensips", "core", "rcv_requests", "counter"), "opensips_core_rcv_requests_total");
 * ```
 */
export function statisticMetricName(
  prefix: string,
  group: string,
  name: string,
  type: MetricType,
): string {
  const base = group === ""
    ? `${prefix}_${sanitizeName(name).replace(/^_/, "")}`
    : `${prefix}_${sanitizeName(group).replace(/^_/, "")}_${sanitizeName(name).replace(/^_/, "")}`;
  return type === "counter" ? counterName(base) : base;
}

/** Statistics → samples, named and typed as documented in the README. */
export function statisticSamples(
  statistics: readonly Statistic[],
  options: StatisticSampleOptions,
): Sample[] {
  const prefix = options.prefix ?? prefixOf(options.kind);
  const { name: server, statistics: { separator: sep } } = familyOf(options.kind);
  return statistics.map((s) => {
    const flag = options.flags?.get(`${s.group}:${s.name}`);
    const meaning = meaningOf(options.kind, s.group, s.name);
    const type: MetricType = flag ?? meaning?.type ??
      (isKnownGauge(s.group, s.name, options.gauges) ? "gauge" : "counter");
    const help = `${server} statistic ${s.group}${sep}${s.name}${
      meaning ? `: ${meaning.help}` : ""
    }`;
    // OpenSIPS's per-process private memory: `pkmem:N-field` → `PREFIX_pkmem_field{process="N"}`.
    const perProcess = s.group === "pkmem" ? /^(\d+)-(.+)$/.exec(s.name) : null;
    if (perProcess) {
      return {
        name: statisticMetricName(prefix, "pkmem", perProcess[2], type),
        type,
        help: `${server} statistic pkmem${sep}N-${perProcess[2]} of process N`,
        labels: { ...options.labels, process: perProcess[1] },
        value: s.value,
      };
    }
    return {
      name: statisticMetricName(prefix, s.group, s.name, type),
      type,
      help,
      labels: options.labels,
      value: s.value,
    };
  });
}
