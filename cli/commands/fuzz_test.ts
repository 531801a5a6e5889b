import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../e2e/_processes.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "node";

test(`fuzz outside a checkout says to name the case folders, exit 2 (${RUNTIME})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fuzz-cwd-"));
  try {
    const { status, stderr } = await run(RUNTIME, ["fuzz"], { cwd: dir });
    assert.equal(status, 2, stderr);
    assert.match(
      stderr,
      /^midgram: No golden cases to run: "testdata" is not in .*: name the case folders \(midgram fuzz DIR\.\.\.\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
