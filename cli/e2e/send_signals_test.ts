import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTransport } from "../../lib/transport/open.ts";
import { launcher, SPAWNS_ONLY } from "./_processes.ts";
import { receiveWithin } from "../../lib/transport/testing/wait.ts";

test("send removes its reply socket and directory when interrupted with SIGINT", {
  skip: SPAWNS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-sigint-"));
  const privateTmp = join(dir, "tmp");
  mkdirSync(privateTmp);
  // A socket that receives and never answers.
  const silent = await defaultTransport().bind({ kind: "unix", path: join(dir, "silent.sock") });
  try {
    const [command, prefix] = launcher("binary");
    const child = spawn(command, [
      ...prefix,
      "send",
      "-s",
      join(dir, "silent.sock"),
      "-t",
      "30s",
      "version",
    ], {
      env: { ...process.env, TMPDIR: privateTmp, MIDGRAM_CONFIG: "/dev/null" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code))
    );
    // Wait until the request has arrived: the reply socket exists by then.
    await receiveWithin(silent, 10_000);
    assert.equal(
      readdirSync(privateTmp).filter((n) =>
        n.startsWith("midgram-") && !n.startsWith("midgram-native")
      ).length,
      1,
    );
    child.kill("SIGINT");
    const code = await exited;
    // Under Deno, child_process reports a signalled child as killed (null) whatever its status.
    if (!("Deno" in globalThis)) assert.equal(code, 130);
    assert.deepEqual(readdirSync(privateTmp), [], "nothing is left in TMPDIR");
  } finally {
    await silent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
