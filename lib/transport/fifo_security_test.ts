import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fifoRequest, listenFifo, writeFifoReply } from "./fifo.ts";

test("a client's reply FIFO can be written only by the server FIFO's owner or group, never by others", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-sec-"));
  const server = await listenFifo(join(dir, "server.fifo"), { mode: 0o660 });
  try {
    const pending = fifoRequest(
      join(dir, "server.fifo"),
      (name) => new TextEncoder().encode(`:${name}:{}\n`),
      { replyDir: dir, timeoutMs: 5000 },
    );
    const request = new TextDecoder().decode(await server.read());
    const name = /^:([^:]+):/.exec(request)![1];
    const mode = statSync(join(dir, name)).mode & 0o777;
    assert.equal(mode & 0o002, 0, `others may not write the reply FIFO (mode ${mode.toString(8)})`);
    assert.equal(mode & 0o004, 0, "nor read it");
    await writeFifoReply(dir, name, new TextEncoder().encode("{}"), { timeoutMs: 5000 });
    assert.equal(new TextDecoder().decode(await pending), "{}");
    assert.deepEqual(readdirSync(dir).sort(), ["server.fifo"], "the reply FIFO is gone");
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
