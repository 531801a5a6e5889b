import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFragileServer } from "../../lib/fuzz/testing/planted.ts";
import { createMemoryTransport } from "../../lib/transport/memory.ts";
import { captureIo } from "../io.ts";
import { runFuzz } from "./fuzz.ts";

test("midgram fuzz --target reports a text MI server's hangs, malformed replies and crash, and --save keeps them", async () => {
  const transport = createMemoryTransport();
  const server = await startFragileServer(transport, { kind: "unix", path: "/fragile.sock" });
  const dir = mkdtempSync(join(tmpdir(), "midgram-fuzz-live-"));
  try {
    const io = captureIo();
    const code = await runFuzz(
      [],
      {
        target: "/fragile.sock",
        dialect: "mi",
        generate: "5000",
        time: "20",
        seed: "3",
        timeout: "50ms",
        save: dir,
        format: "text",
        probe: "which",
        indent: "\\t",
      },
      io,
      { transport },
    );
    assert.equal(code, 1, io.err());
    assert.match(io.out(), /^hang: no reply within 50ms to .*␀/m);
    assert.match(io.out(), /^malformed reply \(.+\) to /m);
    assert.match(io.out(), /^crash \((gone|unresponsive)\): .+; after \d+ input\(s\); last: /m);
    assert.match(
      io.err(),
      /^fuzz: \d+ requests in [\d.]+ s \(\d+\/s\), \d+ answered, [1-9]\d* hangs, [1-9]\d* malformed, CRASHED \((gone|unresponsive)\)(, not sent: [^\n]+)?, latency p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms\n/m,
    );
    const saved = join(dir, "live-3-hang-0.mi");
    assert.ok(
      io.err().includes(`saved ${saved} (hang); review its .json expectation before committing\n`),
      io.err(),
    );
    assert.ok(existsSync(saved) && existsSync(join(dir, "live-3-hang-0.json")));
    assert.ok(existsSync(join(dir, "live-3-malformed-0.mi")));
    assert.ok(existsSync(join(dir, "live-3-crash-0.mi")));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
