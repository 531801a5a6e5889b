import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
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

for (const dialect of ["mi", "binrpc"]) {
  test(`fuzz --target whose probe gets no answer: exit 3 or 4 with the cause, not an internal error (${dialect}, ${RUNTIME})`, async () => {
    // A UDP socket that never answers: the probe times out (3).
    const silent = createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    const dir = mkdtempSync(join(tmpdir(), "midgram-fuzz-target-"));
    try {
      const port = silent.address().port;
      const args = ["fuzz", "--dialect", dialect, "--generate", "5", "--timeout", "100ms"];
      // Both at once, and nothing at the path: the target is gone (4).
      const [quiet, gone] = await Promise.all([
        run(RUNTIME, [...args, "--target", `udp:127.0.0.1:${port}`]),
        run(RUNTIME, [...args, "--target", join(dir, "none.sock")]),
      ]);
      assert.equal(quiet.status, 3, quiet.stderr);
      assert.match(quiet.stderr, /midgram: The probe gets no answer before fuzzing starts: /);
      assert.doesNotMatch(quiet.stderr, /internal error/);
      assert.equal(gone.status, 4, gone.stderr);
      assert.match(gone.stderr, /midgram: The probe gets no answer before fuzzing starts: /);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
