import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLive } from "./live.ts";
import { createServer } from "../server/server.ts";
import { defaultTransport } from "../transport/open.ts";
import { serveEach } from "./testing/planted.ts";

const RUNTIME = "Deno" in globalThis ? "Deno" : "Node";

test(`runLive() over UDP does not send what UDP cannot carry, nor call it a crash (${RUNTIME})`, async () => {
  const transport = defaultTransport();
  const server = createServer({ transport });
  const address = await server.listen({ kind: "udp", host: "127.0.0.1", port: 0 });
  try {
    // Seed 1 makes inputs over 65507 bytes among the first few.
    const result = await runLive({
      target: address,
      transport,
      runs: 400,
      timeMs: 30_000,
      timeoutMs: 2000,
      seed: 1,
    });
    assert.equal(result.crash, null, `no crash: ${result.crash?.why}`);
    assert.ok(result.notSent.tooLarge > 0, "the inputs over the UDP limit are counted");
    assert.equal(result.executed, 400);
    assert.equal(result.answered, 400);
  } finally {
    await server.close();
  }
});

/** A UNIX datagram server that answers `200 OK`, but stops reading for `stallMs` once. */
async function startStallingServer(path: string, stallAfter: number, stallMs: number) {
  const socket = await defaultTransport().bind({ kind: "unix", path });
  const ok = new TextEncoder().encode("200 OK\n\n");
  let seen = 0;
  const loop = serveEach(socket, async ({ from }) => {
    if (++seen === stallAfter) await new Promise((resolve) => setTimeout(resolve, stallMs));
    if (from) await socket.send(ok, from).catch(() => {});
  });
  return {
    address: socket.address,
    close: async () => {
      await socket.close();
      await loop;
    },
  };
}

test(`runLive() does not call a server that stalls for 3 s crashed (${RUNTIME})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-live-"));
  const server = await startStallingServer(join(dir, "stall.sock"), 30, 3000);
  try {
    const result = await runLive({
      target: server.address,
      transport: defaultTransport(),
      runs: 120,
      timeMs: 60_000,
      timeoutMs: 300,
      probeEvery: 20,
      seed: 4,
    });
    assert.equal(result.crash, null, `no crash: ${result.crash?.why}`);
    assert.ok(result.hangs.length >= 1, "the request it sat on is a hang");
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`runLive() reports a server whose socket is gone as a crash of kind "gone" (${RUNTIME})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-live-"));
  // Stops for good after 10 requests: its socket is closed and removed.
  const socket = await defaultTransport().bind({ kind: "unix", path: join(dir, "dies.sock") });
  const ok = new TextEncoder().encode("200 OK\n\n");
  const loop = (async () => {
    for (let i = 0; i < 10; i++) {
      const { from } = await socket.receive();
      if (from) await socket.send(ok, from).catch(() => {});
    }
    await socket.close();
  })();
  try {
    const started = performance.now();
    const result = await runLive({
      target: socket.address,
      transport: defaultTransport(),
      runs: 100,
      timeMs: 30_000,
      timeoutMs: 300,
      probeEvery: 5,
      seed: 4,
    });
    assert.equal(result.crash?.kind, "gone", result.crash?.why);
    assert.match(result.crash!.why, /^the server is gone: /);
    assert.ok(performance.now() - started < 10_000);
  } finally {
    await socket.close();
    await loop.catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});
