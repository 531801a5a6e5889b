/**
 * The `[exporter]` table of the configuration file and its
 * `[[exporter.rpc]]` mappings. Pure: every error names the file, the line
 * and the key.
 *
 * ```toml
 * [exporter]
 * listen = "127.0.0.1:9494"
 * targets = ["binrpc=unixs:/run/kamailio/kamailio_ctl", "/run/opensips/mi.sock"]
 * scrape_timeout = "10s"
 * target_timeout = "5s"
 * gauges = ["mymodule:active_*"]
 * examples = ["kamailio-dialogs", "kamailio-dispatcher"]
 *
 * [[exporter.rpc]]
 * method = "dlg.stats_active"
 * servers = ["kamailio"]
 * metric = "kamailio_dialogs"
 * type = "gauge"
 * members = true
 * member_label = "state"
 * ```
 *
 * @module
 */
import { keyReader } from "../config/parse_config.ts";
import { type Params, paramsFromJson } from "../protocol/value.ts";
import type { DialectChoice } from "../socket_spec.ts";
import { checkMapping, EXAMPLE_MAPPINGS, type RpcMapping } from "./mapping.ts";

/** The `[exporter]` table, checked. */
export interface ExporterConfig {
  listen?: string;
  targets?: string[];
  dialect?: DialectChoice;
  scrapeTimeoutMs?: number;
  targetTimeoutMs?: number;
  gauges?: string[];
  fifoReplyDir?: string;
  mappings: RpcMapping[];
}

const KEYS = [
  "listen",
  "targets",
  "dialect",
  "scrape_timeout",
  "target_timeout",
  "gauges",
  "examples",
  "fifo_reply_dir",
  "rpc",
];
const RPC_KEYS = [
  "method",
  "params",
  "servers",
  "metric",
  "type",
  "help",
  "each",
  "members",
  "member_label",
  "labels",
  "value",
  "value_map",
  "count",
];

/**
 * Reads the `[exporter]` table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExporterConfig } from "./config.ts";
 * const text = '[exporter]\nlisten = "127.0.0.1:9494"\nexamples = ["kamailio-tm"]\n';
 * const config = parseExporterConfig({ listen: "127.0.0.1:9494", examples: ["kamailio-tm"] }, text, "m.toml");
 * assert.equal(config.mappings[0].method, "tm.stats");
 * ```
 *
 * @throws {MidgramError} `config`
 */
export function parseExporterConfig(
  table: Record<string, unknown>,
  text: string,
  file: string,
): ExporterConfig {
  const { fail, known, str, strs, duration, dialect: dialectOf } = keyReader(text, file);
  known(table, "exporter", KEYS);
  const dialect = dialectOf(table, "exporter", "dialect");
  const mappings: RpcMapping[] = [];
  for (const name of strs(table, "exporter", "examples") ?? []) {
    const example = EXAMPLE_MAPPINGS[name];
    if (!example) {
      fail(
        "exporter",
        "examples",
        `unknown example "${name}" (known: ${Object.keys(EXAMPLE_MAPPINGS).join(", ")})`,
      );
    }
    mappings.push(example);
  }
  const rpc = table.rpc ?? [];
  if (!Array.isArray(rpc)) fail("exporter", "rpc", "expected [[exporter.rpc]] tables");
  (rpc as unknown[]).forEach((entry, i) => {
    const name = "exporter.rpc";
    const where = `rpc[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      return fail("exporter", where, "expected a table");
    }
    const t = entry as Record<string, unknown>;
    known(t, name, RPC_KEYS);
    const method = str(t, name, "method") ?? fail(name, "method", "missing: the method to call");
    const metric = str(t, name, "metric") ?? fail(name, "metric", "missing: the metric name");
    const type = str(t, name, "type") ?? "gauge";
    if (type !== "gauge" && type !== "counter") {
      fail(name, "type", `expected gauge or counter, got "${type}"`);
    }
    const members = t.members;
    if (
      members !== undefined && members !== true &&
      !(Array.isArray(members) && members.every((m) => typeof m === "string"))
    ) {
      fail(name, "members", "expected true or a list of member names");
    }
    const labels = t.labels;
    if (
      labels !== undefined &&
      (typeof labels !== "object" || labels === null || Array.isArray(labels) ||
        !Object.values(labels).every((v) => typeof v === "string"))
    ) {
      fail(name, "labels", 'expected a table of label = "path"');
    }
    const valueMap = t.value_map;
    if (
      valueMap !== undefined &&
      (!Array.isArray(valueMap) ||
        !valueMap.every((p) =>
          Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && typeof p[1] === "number"
        ))
    ) {
      fail(name, "value_map", 'expected a list of ["regex", number] pairs');
    }
    const servers = strs(t, name, "servers");
    for (const s of servers ?? []) {
      if (!["opensips", "opensips-2.4", "kamailio"].includes(s)) {
        fail(name, "servers", `expected opensips, opensips-2.4 or kamailio, got "${s}"`);
      }
    }
    if (t.count !== undefined && typeof t.count !== "boolean") {
      fail(name, "count", "expected true or false");
    }
    const mapping: RpcMapping = {
      method,
      params: paramsOf(t.params, () => fail(name, "params", "expected a list or a table")),
      servers: servers as RpcMapping["servers"],
      metric,
      type: type as RpcMapping["type"],
      help: str(t, name, "help"),
      each: str(t, name, "each"),
      members: members as RpcMapping["members"],
      memberLabel: str(t, name, "member_label"),
      labels: labels as Record<string, string> | undefined,
      value: str(t, name, "value"),
      valueMap: valueMap as Array<[string, number]> | undefined,
      count: t.count as boolean | undefined,
    };
    try {
      checkMapping(mapping);
    } catch (error) {
      fail(name, "metric", (error as Error).message);
    }
    mappings.push(mapping);
  });
  return {
    listen: str(table, "exporter", "listen"),
    targets: strs(table, "exporter", "targets"),
    dialect,
    scrapeTimeoutMs: duration(table, "exporter", "scrape_timeout"),
    targetTimeoutMs: duration(table, "exporter", "target_timeout"),
    gauges: strs(table, "exporter", "gauges"),
    fifoReplyDir: str(table, "exporter", "fifo_reply_dir"),
    mappings,
  };
}

function paramsOf(value: unknown, fail: () => never): Params {
  if (value === undefined) return { kind: "positional", values: [] };
  return paramsFromJson(value) ?? fail();
}
