// close() as a graceful stop: receiving stops at once, running handlers finish
// and answer within the grace period on every transport, what is left after
// it (or after the close signal) is cancelled with the dialect's error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, type CallReply } from "../client/call.ts";
import { clientCodec } from "../protocol/dialects.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { NO_PARAMS } from "../protocol/value.ts";
import { defaultTransport } from "../transport/open.ts";
import type { AnyAddress } from "../transport/types.ts";
import { createServer, type MiServer } from "./server.ts";
import { until } from "../transport/testing/wait.ts";

/** A promise and its resolver, for handlers the test releases. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * Registers `slow`: it waits for `release` and, like a config command that
 * runs a program, fails with "command cancelled" as soon as its signal aborts.
 */
function registerSlow(server: MiServer, release: Promise<void>): { started: () => number } {
  let started = 0;
  server.register("slow", (_params, { signal }) => {
    started++;
    return new Promise((resolve, reject) => {
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      void release.then(() => resolve({ done: true }));
    });
  }, { noInput: true });
  return { started: () => started };
}

interface Socket {
  dialect: DialectName;
  address: AnyAddress;
}

/** One socket of each transport the server serves, in a dialect each carries. */
async function listenEverywhere(server: MiServer, dir: string): Promise<Socket[]> {
  const wanted: [DialectName, AnyAddress][] = [
    ["mi", { kind: "unix", path: join(dir, "mi.sock") }],
    ["jsonrpc", { kind: "udp", host: "127.0.0.1", port: 0 }],
    ["binrpc", { kind: "unix-stream", path: join(dir, "ctl.sock") }],
    ["binrpc", { kind: "tcp", host: "127.0.0.1", port: 0 }],
    ["jsonrpc", { kind: "fifo", path: join(dir, "mi.fifo") }],
    ["jsonrpc", { kind: "http", url: "http://127.0.0.1:0/mi" }],
  ];
  const sockets: Socket[] = [];
  for (const [dialect, address] of wanted) {
    sockets.push({ dialect, address: await server.listen(address, { dialect }) });
  }
  return sockets;
}

function ask(socket: Socket, dir: string): Promise<CallReply> {
  return call(socket.address, { method: "slow", params: NO_PARAMS }, {
    transport: defaultTransport(),
    codec: clientCodec(socket.dialect),
    timeoutMs: 20_000,
    replyDir: dir,
  });
}

test("close() lets running handlers finish and answer on every transport", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-grace-"));
  const server = createServer({ transport: defaultTransport(), fifoReplyDir: dir, children: 8 });
  const release = gate();
  const slow = registerSlow(server, release.wait);
  let closing: Promise<void> | undefined;
  try {
    const sockets = await listenEverywhere(server, dir);
    const replies = sockets.map((s) => ask(s, dir));
    await until(() => slow.started() === sockets.length, "every handler to start");
    closing = server.close({ timeoutMs: 60_000 });
    // Receiving stops at once: the stream socket file goes before the handlers end.
    await until(() => !existsSync(join(dir, "ctl.sock")), "the stream listener to close");
    release.open();
    const settled = await Promise.allSettled(replies);
    settled.forEach((r, i) => {
      const kind = sockets[i].address.kind;
      assert.equal(r.status, "fulfilled", `${kind}: ${(r as PromiseRejectedResult).reason}`);
      const outcome = (r as PromiseFulfilledResult<CallReply>).value.outcome;
      assert.equal(outcome?.kind, "result", `${kind}: ${JSON.stringify(outcome)}`);
    });
    await closing;
    assert.equal(existsSync(join(dir, "mi.sock")), false, "the datagram socket file is removed");
  } finally {
    release.open();
    await (closing ?? server.close());
    rmSync(dir, { recursive: true, force: true });
  }
});

test("close() cancels what still runs after the grace period with the dialect's error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-grace-"));
  const server = createServer({ transport: defaultTransport(), children: 1 });
  const release = gate();
  let aborted = 0;
  let started = 0;
  server.register("stubborn", async (_params, { signal }) => {
    started++;
    signal.addEventListener("abort", () => aborted++, { once: true });
    await release.wait; // ignores its signal
    return "late";
  }, { noInput: true });
  try {
    const mi = await server.listen({ kind: "unix", path: join(dir, "mi.sock") });
    const binrpc = await server.listen({ kind: "tcp", host: "127.0.0.1", port: 0 }, {
      dialect: "binrpc",
    });
    const options = { transport: defaultTransport(), timeoutMs: 20_000 };
    const running = call(mi, new TextEncoder().encode(":stubborn:\n"), {
      ...options,
      codec: clientCodec("mi"),
    });
    await until(() => started === 1, "the first handler to start");
    // children is 1: this one waits for a place, and is cancelled without running.
    const queued = call(binrpc, { method: "stubborn", params: NO_PARAMS }, {
      ...options,
      codec: clientCodec("binrpc"),
    });
    await until(() => server.stats()["binrpc:requests"] === 1, "the queued request");
    await server.close({ timeoutMs: 1 });
    const first = await running;
    assert.equal(new TextDecoder().decode(first.bytes), "500 command cancelled\n\n");
    const second = await queued;
    assert.deepEqual(second.outcome, { kind: "error", code: 500, message: "command cancelled" });
    assert.equal(aborted, 1, "the running handler's signal aborted");
    assert.equal(started, 1, "the queued handler never ran");
  } finally {
    release.open();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("close() ends its grace period at once when its signal aborts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-grace-"));
  const server = createServer({ transport: defaultTransport() });
  const release = gate();
  const slow = registerSlow(server, release.wait);
  try {
    const address = await server.listen({ kind: "udp", host: "127.0.0.1", port: 0 }, {
      dialect: "jsonrpc",
    });
    const reply = call(address, { method: "slow", params: NO_PARAMS }, {
      transport: defaultTransport(),
      codec: clientCodec("jsonrpc"),
      timeoutMs: 20_000,
    });
    await until(() => slow.started() === 1, "the handler to start");
    const now = new AbortController();
    // A grace period far longer than the test's bounds: only the signal can end it.
    const closing = server.close({ timeoutMs: 600_000, signal: now.signal });
    now.abort();
    const { outcome } = await reply;
    assert.equal(outcome?.kind, "error");
    assert.equal((outcome as { message: string }).message, "command cancelled");
    await closing;
  } finally {
    release.open();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
