// `npm run test:interop` starts and stops its own Kamailio: its --peer-only
// mode runs that life alone (free ports, a temporary directory, the data
// loaded) and the test checks that nothing is left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KAMAILIO = process.env.KAMAILIO_BIN ?? "/usr/sbin/kamailio";

test(
  "test:interop starts a Kamailio with data on free ports in a temporary directory, and stops it",
  {
    skip: existsSync(KAMAILIO)
      ? false
      : `no Kamailio at ${KAMAILIO} (apt-get install kamailio kamailio-json-modules)`,
  },
  () => {
    const node = process.execPath.endsWith("deno") ? "node" : process.execPath;
    const r = spawnSync(node, ["scripts/test_interop.mjs", "--peer-only"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as { pid: number; run: string; aors: string[] };
    assert.deepEqual(seen.aors, ["alice", "bob"]);
    assert.match(r.stderr, /Kamailio \(pid \d+\) in .*ctl udp \d+ tcp \d+, http \d+/);
    assert.equal(existsSync(seen.run), false, "its directory is removed");
    assert.throws(() => process.kill(seen.pid, 0), "it is stopped");
  },
);
