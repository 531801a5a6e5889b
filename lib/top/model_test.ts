import { test } from "node:test";
import assert from "node:assert/strict";
import type { Sample } from "../exporter/sample.ts";
import type { TargetScrape } from "../exporter/target.ts";
import { HISTORY, TopTarget } from "./model.ts";

const LABELS = { target: "t", dialect: "binrpc" };

function sample(name: string, value: number, type: "counter" | "gauge", labels = {}): Sample {
  return { name, type, help: "", labels: { ...LABELS, ...labels }, value };
}

function scrape(samples: Sample[], up = true, dialect = "binrpc"): TargetScrape {
  return { up, samples, errors: 0, durationSeconds: 0, dialect };
}

const kamailio = (requests: number, drops: number, used = 8) => [
  sample("kamailio_core_rcv_requests_total", requests, "counter"),
  sample("kamailio_core_drop_requests_total", drops, "counter"),
  sample("kamailio_shmem_real_used_size", used, "gauge"),
  sample("kamailio_shmem_total_size", 32, "gauge"),
  sample("kamailio_uptime_seconds", 100, "gauge"),
  sample("kamailio_processes", 10, "gauge"),
  sample("kamailio_pkmem_real_used_size", 3, "gauge", { process: "1" }),
  sample("kamailio_pkmem_total_size", 8, "gauge", { process: "1" }),
  sample("kamailio_pkmem_real_used_size", 6, "gauge", { process: "2" }),
  sample("kamailio_pkmem_total_size", 8, "gauge", { process: "2" }),
];

test("TopTarget reads the fields of the meanings table, with rates from two refreshes", () => {
  const t = new TopTarget("t");
  t.update(scrape(kamailio(100, 0)), 1000);
  const first = t.view();
  assert.equal(first.server, "kamailio");
  assert.deepEqual(
    first.fields["sip.requests_received"],
    { value: 100 },
    "no rate from one reading",
  );
  t.update(scrape(kamailio(150, 4, 16)), 3000);
  const v = t.view();
  assert.deepEqual(v.fields["sip.requests_received"], { value: 150, rate: 25 });
  assert.deepEqual(v.fields["errors.requests_dropped"], { value: 4, rate: 2 });
  assert.deepEqual(v.fields["memory.shm_used"], { value: 16 });
  assert.equal(v.memory.shmPercent, 50);
  assert.deepEqual(v.memory.pkg, { process: "2", percent: 75, used: 6, total: 8 });
  assert.equal(v.uptimeSeconds, 100);
  assert.equal(v.processes, 10);
  assert.deepEqual(t.history.get("sip.requests_received"), [25]);
});

test("TopTarget orders the counters that rose by rise, total or name", () => {
  const t = new TopTarget("t");
  t.update(scrape(kamailio(100, 10)), 0);
  t.update(scrape(kamailio(101, 15)), 1000);
  assert.deepEqual(t.risers("delta", 10).map((r) => [r.name, r.delta, r.rate, r.total]), [
    ["kamailio_core_drop_requests_total", 5, 5, 15],
    ["kamailio_core_rcv_requests_total", 1, 1, 101],
  ]);
  assert.deepEqual(t.risers("total", 10).map((r) => r.name), [
    "kamailio_core_rcv_requests_total",
    "kamailio_core_drop_requests_total",
  ]);
  assert.deepEqual(t.risers("name", 1).map((r) => r.name), ["kamailio_core_drop_requests_total"]);
});

test("TopTarget shows a target that stops answering as down with its error, and starts its rates again", () => {
  const t = new TopTarget("t");
  t.update(scrape(kamailio(100, 0)), 0);
  t.version = "kamailio 5.6.3";
  t.update(scrape([], false), 1000, "stats.fetch: No reply within 900 ms");
  const down = t.view();
  assert.equal(down.up, false);
  assert.equal(down.error, "stats.fetch: No reply within 900 ms");
  assert.equal(down.version, undefined, "asked again when it comes back");
  t.update(scrape(kamailio(5, 0)), 2000);
  assert.deepEqual(
    t.view().fields["sip.requests_received"],
    { value: 5 },
    "no rate across a restart",
  );
  t.update(scrape(kamailio(7, 0)), 3000);
  assert.deepEqual(t.view().fields["sip.requests_received"], { value: 7, rate: 2 });
});

test("TopTarget gives no rate for a counter that went down, and keeps a bounded history", () => {
  const t = new TopTarget("t");
  t.update(scrape(kamailio(100, 0)), 0);
  t.update(scrape(kamailio(50, 0)), 1000);
  assert.deepEqual(t.view().fields["sip.requests_received"], { value: 50 });
  for (let i = 0; i < HISTORY + 20; i++) t.update(scrape(kamailio(50 + i, 0)), 2000 + i * 1000);
  assert.equal(t.history.get("sip.requests_received")?.length, HISTORY);
});

test("TopTarget reads OpenSIPS's names and load statistics", () => {
  const t = new TopTarget("t");
  const opensips = (n: number) => [
    sample("opensips_core_rcv_requests_total", n, "counter"),
    sample("opensips_load_load", 12, "gauge"),
    sample("opensips_load_load_proc_1", 40, "gauge"),
    sample("opensips_usrloc_registered_users", 3, "gauge"),
  ];
  t.update(scrape(opensips(1), true, "jsonrpc"), 0);
  t.update(scrape(opensips(3), true, "jsonrpc"), 2000);
  const v = t.view();
  assert.equal(v.server, "opensips");
  assert.deepEqual(v.load, { load: 12 });
  assert.deepEqual(v.fields["registrations.users"], { value: 3 });
  assert.deepEqual(v.fields["sip.requests_received"], { value: 3, rate: 1 });
  const mi = new TopTarget("m");
  mi.update(scrape(opensips(1), true, "mi"), 0);
  assert.equal(mi.view().server, "opensips-2.4");
});
