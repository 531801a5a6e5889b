/**
 * The Prometheus rules and the Grafana dashboard in this directory: promtool
 * checks and unit-tests the rules, and every metric their queries name is one
 * a real scrape produces — the exporter asking the suite's Kamailio 5.6
 * (binrpc and JSON-RPC, `MIDGRAM_KAMAILIO_RUNDIR`) and `midgram serve`
 * standing in for OpenSIPS (text MI and JSON-RPC).
 *
 * One allowance: OpenSIPS's `core:`, `shmem:` and `sl:` statistics, which
 * the stand-in does not emulate, carry the same names as Kamailio's (both
 * come from SER), so `opensips_core_*`, `opensips_shmem_*` and
 * `opensips_sl_*` are accepted when their `kamailio_` twin is in the scrape.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { formatAddress } from "../../lib/transport/address.ts";
import { parseSocketSpec } from "../../lib/socket_spec.ts";
import { transportClient } from "../../lib/exporter/client.ts";
import { createExporter } from "../../lib/exporter/exporter.ts";
import { SPAWNS_ONLY } from "../../cli/e2e/_processes.ts";

const DIR = new URL(".", import.meta.url).pathname;
const RULES = join(DIR, "midgram.rules.yml");
const RULES_TEST = join(DIR, "midgram.rules.test.yml");
const DASHBOARD = join(DIR, "grafana-dashboard.json");

const promtool = process.env.MIDGRAM_PROMTOOL ||
  (spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).stdout.trim());

test("promtool checks the rules and passes their unit tests", {
  skip: SPAWNS_ONLY || (promtool ? undefined : "needs promtool (MIDGRAM_PROMTOOL or on PATH)"),
}, () => {
  const check = spawnSync(promtool, ["check", "rules", RULES], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SUCCESS: 7 rules found/);
  const unit = spawnSync(promtool, ["test", "rules", RULES_TEST], {
    cwd: DIR,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
  assert.match(unit.stdout, /SUCCESS/);
});

const PROMQL_WORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN"]);

/** The metric names a PromQL expression selects (functions, labels, ranges and keywords left out). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/g)) names.add(m[1]);
  const bare = expr
    .replace(/label_values\([^)]*\)/g, "")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\boffset\s+\S+/g, "");
  for (const m of bare.matchAll(/(?<![\w$.])[a-zA-Z_:][\w:]*/g)) {
    const rest = bare.slice(m.index! + m[0].length).trimStart();
    if (rest.startsWith("(") || PROMQL_WORDS.has(m[0])) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** The `expr:` values of a rules file (inline or `|` blocks). */
function ruleExpressions(yaml: string): string[] {
  const out: string[] = [];
  const lines = yaml.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)expr:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    if (m[2] !== "|") {
      out.push(m[2]);
      continue;
    }
    const block: string[] = [];
    for (
      ;
      i + 1 < lines.length &&
      (lines[i + 1].trim() === "" || lines[i + 1].search(/\S/) > m[1].length);
      i++
    ) {
      block.push(lines[i + 1]);
    }
    out.push(block.join("\n"));
  }
  return out;
}

/** Every query of the dashboard: panel targets and template variable queries. */
function dashboardExpressions(json: string): string[] {
  const dashboard = JSON.parse(json);
  const out: string[] = [];
  for (const panel of dashboard.panels) for (const t of panel.targets ?? []) out.push(t.expr);
  for (const v of dashboard.templating.list) {
    if (v.type === "query") out.push(typeof v.query === "string" ? v.query : v.query.query);
  }
  return out;
}

const ruleNames = new Set(ruleExpressions(readFileSync(RULES, "utf8")).flatMap(metricNames));
const dashboardNames = new Set(
  dashboardExpressions(readFileSync(DASHBOARD, "utf8")).flatMap(metricNames),
);

test("metricNames() finds the selected series of a query and nothing else", () => {
  assert.deepEqual(
    metricNames(
      'sum by (target) (rate(kamailio_sl_5xx_replies_total{target=~"$target"}[$__rate_interval] offset 1h)) / on(target) kamailio_sl_sent_replies_total > 0.05 and up == 0',
    ),
    ["kamailio_sl_5xx_replies_total", "kamailio_sl_sent_replies_total", "up"],
  );
  assert.deepEqual(metricNames("label_values(midgram_target_up, target)"), ["midgram_target_up"]);
  // What the files name: each alert of the issue, and the dashboard's panels.
  for (
    const name of [
      "midgram_target_up",
      "midgram_target_scrape_errors",
      "kamailio_shmem_total_size",
      "opensips_shmem_real_used_size",
      "kamailio_processes",
      "opensips_processes",
      "kamailio_core_rcv_requests_total",
      "opensips_sl_5xx_replies_total",
    ]
  ) {
    assert.ok(ruleNames.has(name), `the rules use ${name}`);
  }
  assert.ok(dashboardNames.size >= 25, [...dashboardNames].join(" "));
});

const rundir = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const kamailioSkip = !rundir
  ? "MIDGRAM_KAMAILIO_RUNDIR is not set (start one: KAM_WITH_DATA=1 sh kamailio.sh start RUNDIR)"
  : !existsSync(join(rundir, "ctl.sock")) || !existsSync(join(rundir, "jsonrpc.sock"))
  ? `no ctl.sock and jsonrpc.sock in ${rundir}`
  : undefined;

test(
  "every series the rules and the dashboard name comes in a real scrape of Kamailio and the stand-ins",
  {
    skip: kamailioSkip,
  },
  async () => {
    const transport = defaultTransport();
    const dir = mkdtempSync(join(tmpdir(), "midgram-monitoring-"));
    const server = createServer({ transport });
    try {
      const mi = formatAddress(await server.listen(join(dir, "mi.sock"), { dialect: "mi" }));
      const jsonrpc = formatAddress(
        await server.listen(join(dir, "opensips.sock"), {
          dialect: "jsonrpc",
          flavour: "opensips",
        }),
      );
      const targets = [
        `binrpc=unixs:${rundir}/ctl.sock`,
        `jsonrpc/kamailio=${rundir}/jsonrpc.sock`,
        `mi=${mi}`,
        `jsonrpc=${jsonrpc}`,
      ].map((t) => parseSocketSpec(t, "auto"));
      const exporter = createExporter({ targets, client: transportClient(transport) });
      const { text } = await exporter.metrics("prometheus", 10_000);
      const up = [...text.matchAll(/^midgram_target_up\{target="([^"]*)".*\} (\d)$/gm)];
      assert.equal(up.length, 4, text);
      for (const [, target, value] of up) assert.equal(value, "1", `${target} is down: ${text}`);
      const scraped = new Set(
        text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => /^[^{ ]+/.exec(l)![0]),
      );
      const missing = [...new Set([...ruleNames, ...dashboardNames])].filter((name) =>
        !scraped.has(name) &&
        // Prometheus's own series for every scrape of the exporter.
        name !== "up" &&
        !(/^opensips_(core|shmem|sl)_/.test(name) &&
          scraped.has(name.replace(/^opensips_/, "kamailio_")))
      );
      assert.deepEqual(missing, [], "names no scrape produces");
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
