import { test } from "node:test";
import assert from "node:assert/strict";
import { Members } from "../protocol/value.ts";
import { EXAMPLE_MAPPINGS, mappingSamples } from "./mapping.ts";
import { pick, walk } from "./path.ts";

test("walk() goes through every [] and pick() follows the item's indices", () => {
  const v = { A: [{ B: [1, 2] }, { B: [3] }] };
  assert.deepEqual(walk(v, "A[].B[]").map((p) => [p.indices, p.value]), [
    [[0, 0], 1],
    [[0, 1], 2],
    [[1, 0], 3],
  ]);
  assert.equal(pick(v, "A[].B[]", [1, 0]), 3);
  assert.equal(pick(v, "A[].C", [0]), undefined);
});

test("mappingSamples() maps Kamailio's dispatcher.list with the ready example", () => {
  // The layout of Kamailio 5.6 dispatcher.list (binrpc / jsonrpcs).
  const dest = (uri: string, flags: string) =>
    new Members([["DEST", new Members([["URI", uri], ["FLAGS", flags], ["PRIORITY", 0]])]]);
  const reply = new Members([
    ["NRSETS", 1],
    ["RECORDS", [
      new Members([[
        "SET",
        new Members([["ID", 1], ["TARGETS", [
          dest("sip:10.0.0.1:5060", "AP"),
          dest("sip:10.0.0.2:5060", "IP"),
        ]]]),
      ]]),
    ]],
  ]);
  const { samples } = mappingSamples(EXAMPLE_MAPPINGS["kamailio-dispatcher"], reply, {
    target: "t",
  });
  assert.deepEqual(samples.map((s) => [s.name, s.labels, s.value]), [
    ["kamailio_dispatcher_target_up", { target: "t", set: "1", uri: "sip:10.0.0.1:5060" }, 1],
    ["kamailio_dispatcher_target_up", { target: "t", set: "1", uri: "sip:10.0.0.2:5060" }, 0],
  ]);
});

test("mappingSamples() maps struct members to names or to a label", () => {
  const stats = { current: 2, waiting: 1, total: 40 };
  const tm = mappingSamples(EXAMPLE_MAPPINGS["kamailio-tm"], stats, {});
  assert.deepEqual(tm.samples.map((s) => [s.name, s.value]), [
    ["kamailio_tm_current", 2],
    ["kamailio_tm_waiting", 1],
  ]);
  const dialogs = mappingSamples(
    EXAMPLE_MAPPINGS["kamailio-dialogs"],
    { starting: 0, ongoing: 3, all: 3 },
    {},
  );
  assert.deepEqual(dialogs.samples.map((s) => [s.name, s.labels.state, s.value]), [
    ["kamailio_dialogs", "starting", 0],
    ["kamailio_dialogs", "ongoing", 3],
    ["kamailio_dialogs", "all", 3],
  ]);
});

test("mappingSamples() counts items and reads text MI nodes", () => {
  const nodes = [
    { name: "Dialog", value: "a", attributes: new Members([["state", "4"]]), children: [] },
    { name: "Dialog", value: "b", attributes: new Members([["state", "5"]]), children: [] },
  ];
  const { samples } = mappingSamples(
    {
      method: "dlg_list",
      metric: "opensips_dialogs_listed",
      type: "gauge",
      count: true,
      each: "Dialog[]",
    },
    nodes as never,
    {},
  );
  assert.equal(samples[0].value, 2);
});
