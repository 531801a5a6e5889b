import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGenerative } from "./generative.ts";
import { checkRequest } from "./invariants.ts";
import { runLive } from "./live.ts";
import { brokenAnalyzer, startFragileServer } from "./testing/planted.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { runFuzz } from "../../cli/commands/fuzz.ts";
import { captureIo } from "../../cli/io.ts";

test("runGenerative() finds no broken invariant in the real parser", async () => {
  const result = await runGenerative({ runs: 3000, seed: 11 });
  assert.equal(result.executed, 3000);
  assert.deepEqual(result.failures, []);
});

test("runGenerative() catches and shrinks the planted parser bug", async () => {
  const result = await runGenerative({
    runs: 20000,
    seed: 5,
    timeMs: 20_000,
    analyze: brokenAnalyzer,
  });
  assert.equal(result.failures.length, 1, "the planted bug is found");
  const [failure] = result.failures;
  assert.equal(failure.kind, "request");
  assert.ok(failure.input!.length <= 24, `shrunk to ${failure.input!.length} bytes`);
  assert.ok(checkRequest(failure.input!, brokenAnalyzer) !== null, "the shrunk case still fails");
  assert.equal(checkRequest(failure.input!), null, "the real parser passes it");
  // The printed seed replays the same failure.
  const again = await runGenerative({
    runs: 20000,
    seed: 5,
    timeMs: 20_000,
    analyze: brokenAnalyzer,
  });
  assert.deepEqual(again.failures[0].input, failure.input);
});

test("midgram fuzz --save keeps the shrunk planted bug as a golden case", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fuzz-"));
  try {
    const io = captureIo();
    const code = await runFuzz(
      [],
      {
        generate: "20000",
        seed: "5",
        save: dir,
        format: "text",
        timeout: "2s",
        probe: "which",
        indent: "\\t",
      },
      io,
      { analyze: brokenAnalyzer },
    );
    assert.equal(code, 1);
    assert.match(io.out(), /invariant "round-trip" broken/);
    assert.match(io.err(), /seed 5 \(replay with --seed 5\)/);
    const saved = readdirSync(dir).filter((f) => f.endsWith(".mi"));
    assert.equal(saved.length, 1);
    assert.ok(existsSync(join(dir, saved[0].replace(/\.mi$/, ".json"))));
    // The saved case is a golden case the real parser passes.
    const golden = captureIo();
    assert.equal(
      await runFuzz(
        [dir],
        { format: "text", timeout: "2s", probe: "which", indent: "\\t" },
        golden,
      ),
      0,
    );
    assert.ok(readFileSync(join(dir, saved[0])).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runLive() reports hangs, malformed replies and the crash of a fragile server", async () => {
  const transport = createMemoryTransport();
  const server = await startFragileServer(transport, { kind: "unix", path: "/fragile.sock" });
  try {
    const result = await runLive({
      target: server.address,
      transport,
      runs: 5000,
      timeMs: 20_000,
      timeoutMs: 50,
      seed: 3,
      probeEvery: 20,
    });
    // Hangs: requests with a NUL byte, and the request that crashed it (no reply either).
    const small = result.hangs.filter((b) => b.length <= 60000);
    assert.ok(small.length > 0, "a hang is found");
    assert.ok(small.every((b) => b.includes(0)), "every hang has a NUL byte");
    assert.ok(result.malformed.length > 0, "a malformed reply is found");
    assert.ok(result.crash !== null, "the crash is found");
    assert.ok(
      result.crash!.inputs.some((b) => b.length > 60000),
      "the input that crashed it is among those saved",
    );
    assert.ok(result.latency !== null && result.latency.p50 >= 0);
  } finally {
    await server.close();
  }
});

test("midgram fuzz runs the project's golden cases", async () => {
  const io = captureIo();
  assert.equal(
    await runFuzz(
      ["testdata"],
      { format: "text", timeout: "2s", probe: "which", indent: "\\t" },
      io,
    ),
    0,
  );
  assert.match(io.err(), /golden: \d+ cases, \d+ passed, 0 failed/);
});
