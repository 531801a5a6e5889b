import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig } from "../config/parse_config.ts";
import { MidgramError } from "../errors.ts";
import { parseExporterConfig } from "./config.ts";

function read(text: string) {
  const config = parseConfig(text, "m.toml");
  const e = config.exporter!;
  return parseExporterConfig(e.table, e.text, e.file);
}

test("parseExporterConfig() reads the [exporter] table and its rpc mappings", () => {
  const c = read(`[exporter]
listen = "127.0.0.1:9494"
targets = ["binrpc=udp:127.0.0.1:2046", "/run/opensips/mi.sock"]
scrape_timeout = "8s"
gauges = ["my:*"]
examples = ["kamailio-tm"]

[[exporter.rpc]]
method = "dlg.stats_active"
servers = ["kamailio"]
metric = "kamailio_dialogs"
members = true
member_label = "state"
value_map = [["^A", 1], ["", 0]]
`);
  assert.equal(c.listen, "127.0.0.1:9494");
  assert.equal(c.scrapeTimeoutMs, 8000);
  assert.deepEqual(c.mappings.map((m) => m.method), ["tm.stats", "dlg.stats_active"]);
  assert.equal(c.mappings[1].type, "gauge");
  assert.deepEqual(c.mappings[1].valueMap, [["^A", 1], ["", 0]]);
});

test("parseExporterConfig() names the file, line and key of a mistake", () => {
  assert.throws(
    () => read('[exporter]\nlisten = "x"\n\n[[exporter.rpc]]\nmethod = "a"\nmetric = "bad-name"\n'),
    (e: unknown) =>
      e instanceof MidgramError && e.code === "config" &&
      /"m\.toml" at line \d+: exporter\.rpc\.metric: Invalid metric name "bad-name"/.test(
        e.message,
      ),
  );
  assert.throws(
    () => read('[exporter]\nlistn = "x"\n'),
    /line 2: exporter\.listn: unknown key: did you mean "listen"\?/,
  );
});
