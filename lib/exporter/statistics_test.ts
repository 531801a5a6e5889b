import { test } from "node:test";
import assert from "node:assert/strict";
import { Members } from "../protocol/value.ts";
import {
  readStatisticFlags,
  readStatistics,
  statisticMetricName,
  statisticSamples,
} from "./statistics.ts";
import { sanitizeName } from "./sample.ts";
import { serverSamples } from "./server_metrics.ts";

test("readStatistics() reads OpenSIPS 2.4 text MI nodes", () => {
  const nodes = [
    { name: "core:rcv_requests", value: "12", attributes: new Members([]), children: [] },
    { name: "shmem:used_size", value: "4096", attributes: new Members([]), children: [] },
    { name: "core:bad", value: "n/a", attributes: new Members([]), children: [] },
  ];
  const { statistics, skipped } = readStatistics(nodes as never, "opensips-2.4");
  assert.deepEqual(statistics, [
    { group: "core", name: "rcv_requests", value: 12 },
    { group: "shmem", name: "used_size", value: 4096 },
  ]);
  assert.equal(skipped, 1);
});

test("readStatistics() reads OpenSIPS 3 and Kamailio structs", () => {
  assert.deepEqual(readStatistics({ "dialog:active_dialogs": 3 }, "opensips").statistics, [
    { group: "dialog", name: "active_dialogs", value: 3 },
  ]);
  const kamailio = [new Members([["usrloc.location-users", "7"], ["core.rcv_requests", "2"]])];
  assert.deepEqual(readStatistics(kamailio, "kamailio").statistics, [
    { group: "usrloc", name: "location-users", value: 7 },
    { group: "core", name: "rcv_requests", value: 2 },
  ]);
});

test("statisticSamples() follows OpenSIPS's flags and the known gauges elsewhere", () => {
  const stats = [
    { group: "core", name: "rcv_requests", value: 1 },
    { group: "dialog", name: "active_dialogs", value: 2 },
    { group: "shmem", name: "used_size", value: 3 },
  ];
  const labels = { target: "t", dialect: "binrpc" };
  const kamailio = statisticSamples(stats, { kind: "kamailio", labels });
  assert.deepEqual(kamailio.map((s) => [s.name, s.type]), [
    ["kamailio_core_rcv_requests_total", "counter"],
    ["kamailio_dialog_active_dialogs", "gauge"],
    ["kamailio_shmem_used_size", "gauge"],
  ]);
  const flags = readStatisticFlags({
    "core:rcv_requests": "non-incremental",
    "dialog:active_dialogs": "incremental",
  });
  const opensips = statisticSamples(stats, { kind: "opensips", labels, flags });
  assert.deepEqual(opensips.map((s) => [s.name, s.type]), [
    ["opensips_core_rcv_requests", "gauge"],
    ["opensips_dialog_active_dialogs_total", "counter"],
    ["opensips_shmem_used_size", "gauge"],
  ]);
});

test("statisticSamples() takes extra gauge patterns", () => {
  const samples = statisticSamples([{ group: "my", name: "active_calls", value: 1 }], {
    kind: "kamailio",
    labels: {},
    gauges: ["my:active_*"],
  });
  assert.equal(samples[0].name, "kamailio_my_active_calls");
});

test("statisticSamples() puts OpenSIPS's per-process pkmem in a process label", () => {
  const [s] = statisticSamples([{ group: "pkmem", name: "3-used_size", value: 9 }], {
    kind: "opensips",
    labels: { target: "t" },
  });
  assert.deepEqual([s.name, s.labels], ["opensips_pkmem_used_size", { target: "t", process: "3" }]);
});

test("statisticMetricName() sanitises every part into a valid name", () => {
  assert.equal(
    statisticMetricName("kamailio", "usrloc", "location-users", "gauge"),
    "kamailio_usrloc_location_users",
  );
  assert.equal(
    statisticMetricName("kamailio", "sl", "1xx_replies", "counter"),
    "kamailio_sl_1xx_replies_total",
  );
  assert.equal(
    statisticMetricName("opensips", "mi_cmd", "stats.fetch", "counter"),
    "opensips_mi_cmd_stats_fetch_total",
  );
  assert.equal(sanitizeName("é:x"), "__x");
});

test("serverSamples() names midgram serve's counters", () => {
  const samples = serverSamples({ "mi:requests": 3, "binrpc_cmd:stats.fetch": 1 }, 2);
  assert.deepEqual(samples.map((s) => [s.name, s.type, s.value]), [
    ["midgram_server_mi_requests_total", "counter", 3],
    ["midgram_server_binrpc_cmd_stats_fetch_total", "counter", 1],
    ["midgram_server_uptime_seconds", "gauge", 2],
  ]);
});
