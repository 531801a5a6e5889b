import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { createServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";

async function withEcho(body: (socket: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "midgram-words-"));
  const server = createServer({ transport: defaultTransport() });
  server.registerMi("echo", (args) => args.map((a) => ({ ...a, attributes: [], children: [] })));
  try {
    await server.listen(join(dir, "mi.sock"));
    await body(join(dir, "mi.sock"));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("send warns that ::1 is read as name::value, and s:TEXT sends the value as it is", async () => {
  await withEcho(async (socket) => {
    const warned = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(await cli(["send", "--dialect", "mi", "-s", socket, "echo", "::1"], warned), 0);
    assert.match(warned.err(), /warning: "::1" is sent as name "" and value "1".*write s:::1/);
    const literal = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(await cli(["send", "--dialect", "mi", "-s", socket, "echo", "s:::1"], literal), 0);
    assert.equal(literal.err(), "");
    assert.equal(literal.out(), "200 OK\n::1\n\n");
  });
});

test("send refuses an argument that is not valid UTF-8 instead of sending U+FFFD", async () => {
  await withEcho(async (socket) => {
    const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(await cli(["send", "--dialect", "mi", "-s", socket, "echo", "a\uFFFDb"], io), 2);
    assert.match(io.err(), /Parameter 1 is not valid UTF-8.*-f FILE/);
    assert.equal(io.out(), "");
  });
});
