// `midgram top --once --json` against the real Kamailio, field by field
// against the same server's counters read with `midgram send`: every field
// of the meanings table the server reports, its uptime and its processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MEANINGS } from "../../lib/exporter/meanings.ts";
import type { TargetView } from "../../lib/top/model.ts";
import { captureIo } from "../io.ts";
import { cli } from "../main.ts";

const RUNDIR = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const SKIP = RUNDIR ? false : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (.ci/run does)";

async function midgram(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  const code = await cli(args, io);
  return { code, out: io.out(), err: io.err() };
}

for (const target of ["ctl.sock", "jsonrpc.sock"]) {
  test(
    `top --once --json over ${target} gives each field as send reads it from the real Kamailio`,
    {
      skip: SKIP,
    },
    async () => {
      const address = `${RUNDIR}/${target}`;
      const top = await midgram("top", "-s", address, "--once", "--json", "-i", "300ms");
      assert.equal(top.code, 0, top.err);
      const [view] = (JSON.parse(top.out) as { targets: TargetView[] }).targets;
      assert.equal(view.up, true);
      assert.equal(view.server, "kamailio");
      assert.match(view.version ?? "", /^kamailio 5\./);
      // Read after top: a counter is at least what top saw, a level the same.
      const stats = await midgram("send", "-s", address, "--json", "stats.fetch", "all");
      assert.equal(stats.code, 0, stats.err);
      const counters = JSON.parse(stats.out) as Record<string, string | number>;
      let compared = 0;
      for (const m of MEANINGS) {
        const name = m.kamailio?.replace(":", ".");
        const field = view.fields[m.id];
        if (name === undefined || counters[name] === undefined) {
          assert.equal(field, undefined, `${m.id}: top shows what the server does not report`);
          continue;
        }
        assert.ok(field, `${m.id}: ${name} is reported, top does not show it`);
        const now = Number(counters[name]);
        if (m.type === "counter") {
          assert.ok(field.value <= now, `${m.id}: top ${field.value}, send ${now}`);
          assert.ok(field.rate !== undefined && field.rate >= 0, `${m.id}: a rate`);
        } else if (m.id !== "memory.shm_used" && m.id !== "memory.shm_max_used") {
          assert.equal(field.value, now, m.id);
        }
        compared++;
      }
      assert.ok(compared >= 10, `only ${compared} fields compared`);
      // Uptime and processes, from core.uptime and core.psx.
      const uptime = JSON.parse(
        (await midgram("send", "-s", address, "--json", "core.uptime")).out,
      );
      assert.ok(
        Math.abs(uptime.uptime - view.uptimeSeconds!) <= 3,
        `${uptime.uptime} ${view.uptimeSeconds}`,
      );
      const psx = JSON.parse((await midgram("send", "-s", address, "--json", "core.psx")).out);
      assert.equal(view.processes, Array.isArray(psx) ? psx.length : Object.keys(psx).length);
    },
  );
}
