import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../../lib/server/server.ts";
import { createMemoryTransport } from "../../lib/transport/memory.ts";
import { type TargetView, TopTarget } from "../../lib/top/model.ts";
import { palette } from "../_color.ts";
import { captureIo } from "../io.ts";
import { renderOutput } from "../_output.ts";
import { cli } from "../main.ts";
import { fit, formatBytes, formatUptime, screen, sparkline } from "./_top_screen.ts";

test("sparkline(), formatBytes() and formatUptime() draw what top shows", () => {
  assert.equal(sparkline([0, 1, 2, 4, 8], 5), "\u2581\u2581\u2582\u2584\u2588");
  assert.equal(sparkline([0, 0], 5), "\u2581\u2581");
  assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8], 3).length, 3);
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(33554432), "32.0 MiB");
  assert.equal(formatUptime(59), "0m 59s");
  assert.equal(formatUptime(3 * 3600 + 62), "3h 01m 02s");
  assert.equal(formatUptime(2 * 86400 + 3600), "2d 01h 00m");
});

test("fit() cuts a line of styled pieces to the terminal's width", () => {
  const paint = palette("always", captureIo(), "stdout");
  const line = fit(["abc", paint.red("defgh"), "ij"], 5);
  assert.equal(renderOutput(line, true), "abc\x1b[31mde\x1b[39m");
});

test("the screen shows tabs, a down target's error, and fits the terminal", () => {
  const up = new TopTarget("udp:127.0.0.1:2049");
  up.update({
    up: true,
    samples: [{
      name: "kamailio_core_rcv_requests_total",
      type: "counter",
      help: "",
      labels: { target: "x", dialect: "binrpc" },
      value: 5,
    }],
    errors: 0,
    durationSeconds: 0,
    dialect: "binrpc",
  }, 0);
  up.version = "kamailio 5.6.3";
  const down = new TopTarget("/run/opensips.sock");
  down.update(
    { up: false, samples: [], errors: 1, durationSeconds: 0, dialect: "jsonrpc" },
    0,
    "No reply",
  );
  const paint = palette("never", captureIo(), "stdout");
  const state = {
    current: 1,
    paused: true,
    help: false,
    sort: "delta" as const,
    width: 60,
    height: 10,
    time: "10:00:00",
    interval: "2s",
  };
  const lines = screen([up.view(), down.view()], [up.history, down.history], paint, state);
  const shown = lines.map((l) => renderOutput(l, false) as string);
  assert.ok(shown.length <= 10);
  assert.ok(shown.every((l) => l.length <= 60), shown.join("\n"));
  assert.match(shown[0], /PAUSED/);
  assert.match(shown[1], /1:udp:127\.0\.0\.1:2049 +\[2:\/run\/opensips\.sock DOWN\]/);
  assert.match(shown.join("\n"), /DOWN {2}No reply/);
  const first = screen([up.view(), down.view()], [up.history, down.history], paint, {
    ...state,
    current: 0,
    height: 40,
    width: 100,
  });
  const all = first.map((l) => renderOutput(l, false) as string).join("\n");
  assert.match(all, /kamailio 5\.6\.3 {2}binrpc {2}udp:127\.0\.0\.1:2049/);
  assert.match(all, /requests in +- +5/);
  assert.match(all, /TRANSACTIONS {2}\(not reported: module not loaded\)/);
});

test("top --once --json reports each server with the same counters get_statistics gives", async () => {
  const transport = createMemoryTransport();
  const server = createServer({ transport, version: "stand-in 3.6" });
  await server.listen("unix:/run/opensips/mi.sock", { dialect: "jsonrpc" });
  await server.listen("unix:/run/opensips-2.4.sock", { dialect: "mi" });
  try {
    const io = captureIo({ transport, env: { MIDGRAM_CONFIG: "/dev/null" } });
    const code = await cli([
      "top",
      "-s",
      "jsonrpc=unix:/run/opensips/mi.sock",
      "-s",
      "mi=unix:/run/opensips-2.4.sock",
      "-s",
      "jsonrpc=unix:/run/nothing.sock",
      "--once",
      "--json",
      "-i",
      "200ms",
    ], io);
    assert.equal(code, 1, "a server did not answer");
    const lines = io.out().trim().split("\n");
    assert.equal(lines.length, 1);
    const { targets } = JSON.parse(lines[0]) as { targets: TargetView[] };
    assert.deepEqual(targets.map((t) => [t.target, t.up, t.server, t.version]), [
      ["unix:/run/opensips/mi.sock", true, "opensips", "stand-in 3.6"],
      ["unix:/run/opensips-2.4.sock", true, "opensips-2.4", "stand-in 3.6"],
      ["unix:/run/nothing.sock", false, undefined, undefined],
    ]);
    assert.match(targets[2].error ?? "", /nothing\.sock/);
    // The stand-in counts the requests it served: what top read is what get_statistics says
    // (top's own two refreshes and version call since, at most a few more).
    const stats = captureIo({ transport, env: { MIDGRAM_CONFIG: "/dev/null" } });
    await cli([
      "send",
      "-s",
      "jsonrpc=unix:/run/opensips/mi.sock",
      "--json",
      "get_statistics",
      "jsonrpc:",
    ], stats);
    const now = JSON.parse(stats.out())["jsonrpc:requests"] as number;
    const riser = targets[0].risers.find((r) => r.name === "opensips_jsonrpc_requests_total");
    assert.ok(riser, JSON.stringify(targets[0].risers));
    assert.ok(
      riser.total < now && now - riser.total <= 3,
      `top read ${riser.total}, the server says ${now}`,
    );
    assert.ok(targets[0].uptimeSeconds! >= 0);
  } finally {
    await server.close();
  }
});
