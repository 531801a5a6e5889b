// TMPDIR is read by the process (os.tmpdir()), not through Io: the test runs
// `send` as a child with its own environment instead of changing process.env,
// which other test files running in parallel (Deno) would see.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./_processes.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "node";

test(`send exits 4 with a clear message when TMPDIR cannot hold the reply socket (${RUNTIME})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-tmpdir-"));
  try {
    // A file where TMPDIR should be a directory: no reply socket can be made in it.
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "");
    const { status, stderr } = await run(RUNTIME, ["send", "-s", join(dir, "x.sock"), "version"], {
      env: { TMPDIR: file },
    });
    assert.equal(status, 4, stderr);
    assert.match(stderr, /Cannot make a reply socket in ".*not-a-dir": ENOTDIR: set TMPDIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
