/**
 * A UNIX stream socket (Kamailio's ctl) has no reply socket: when another
 * user cannot reach it, the message names its mode and the fix, never the
 * reply socket's group or directory. (doctor on a stream that never answers:
 * `cli/commands/doctor_test.ts`.)
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";

const BINARY = fileURLToPath(new URL("../../dist/midgram", import.meta.url));

const asRoot = process.getuid?.() === 0 ? false : "needs root to run as nobody";
const runuser = ["/usr/sbin/runuser", "/sbin/runuser"].find((p) => existsSync(p));
/** Whether nobody may run dist/midgram where it is (a checkout under a private home may not). */
const nobodyRuns = () =>
  spawnSync(runuser!, ["-u", "nobody", "--", "test", "-x", BINARY], { timeout: 10_000 }).status ===
    0;

test(
  "as another user, send to a bare path of a mode-0600 stream socket names its mode and the fix",
  {
    skip: asRoot || (runuser ? false : "no runuser") ||
      (existsSync(BINARY) ? false : "dist/midgram is missing: npm run build") ||
      (nobodyRuns() ? false : "nobody cannot reach dist/midgram in this checkout"),
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-0600-ctl-"));
    chmodSync(dir, 0o755);
    chmodSync(BINARY, 0o755);
    // Bound at its path, as Kamailio's ctl does (midgram's own sockets are renamed into place).
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(join(dir, "ctl"), resolve));
    chmodSync(join(dir, "ctl"), 0o600);
    try {
      const r = spawnSync(
        runuser!,
        ["-u", "nobody", "--", BINARY, "send", "-t", "2s", "-s", join(dir, "ctl"), "core.uptime"],
        {
          encoding: "utf8",
          timeout: 20_000,
          env: { PATH: "/usr/bin:/bin", MIDGRAM_CONFIG: "/dev/null" },
        },
      );
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stderr, /mode 0600\) gives its group no write permission/);
      assert.match(r.stderr, /modparam\("ctl", "mode", 0660\)/);
      assert.doesNotMatch(r.stderr, /reply (socket|directory)/);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
