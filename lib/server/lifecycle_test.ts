import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "./server.ts";
import { defaultTransport } from "../transport/open.ts";
import type { Address } from "../transport/types.ts";
import type { LogLevel } from "./types.ts";
import { receiveWithin, until } from "../transport/testing/wait.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A promise and its resolver, for handlers the test releases. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

test("close() stops receiving, lets a running handler finish and still sends its reply", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-close-"));
  const transport = defaultTransport();
  const server = createServer({ transport, version: "t" });
  const release = gate();
  let started = false;
  server.register("slow", async () => {
    started = true;
    await release.wait;
    return { done: true };
  }, { noInput: true });
  const address = await server.listen({ kind: "unix", path: join(dir, "s.sock") }) as Address;
  const client = await transport.connectable(address);
  try {
    await client.send(enc(":slow:\n"), address);
    await until(() => started, "the handler to start");
    const closing = server.close();
    release.open();
    await closing;
    const reply = await receiveWithin(client, 3000);
    assert.equal(dec(reply.data), "200 OK\ndone:: true\n\n");
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("children is a real limit even for a handler that ignores its abort signal", async () => {
  const server = createServer({
    transport: defaultTransport(),
    children: 1,
    handlerTimeoutMs: 50,
  });
  const release = gate();
  let running = 0;
  let peak = 0;
  server.register("stubborn", async () => {
    running++;
    peak = Math.max(peak, running);
    await release.wait; // ignores the abort signal
    running--;
  }, { noInput: true });
  const first = server.handle(enc(":stubborn:\n"));
  // The first times out (and is answered) but keeps its place until it really ends.
  assert.equal(dec((await first)!), "500 command failed\n");
  const second = server.handle(enc(":stubborn:\n"));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(running, 1, "the second handler has not started while the first still runs");
  release.open();
  await second;
  assert.equal(peak, 1);
  await server.close();
});

test("kill sends its reply before it stops the server, by construction", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-kill-"));
  const events: string[] = [];
  const real = defaultTransport();
  // A transport that notes when the server's socket sends.
  const transport = {
    ...real,
    bind: async (address: Address, options?: Parameters<typeof real.bind>[1]) => {
      const socket = await real.bind(address, options);
      const send = socket.send.bind(socket);
      socket.send = async (data, to, o) => {
        await send(data, to, o);
        events.push("sent");
      };
      // The server's fast path, where the transport has one.
      const trySend = socket.trySend?.bind(socket);
      if (trySend) {
        socket.trySend = (data, to) => {
          const sent = trySend(data, to);
          if (sent) events.push("sent");
          return sent;
        };
      }
      return socket;
    },
  };
  const stopped = gate();
  const server = createServer({
    transport,
    host: {
      onKill: () => {
        events.push("killed");
        stopped.open();
      },
    },
  });
  const address = await server.listen({ kind: "unix", path: join(dir, "s.sock") }) as Address;
  const client = await real.connectable(address);
  try {
    await client.send(enc(":kill:\n"), address);
    await stopped.wait;
    await server.close();
    assert.deepEqual(events, ["sent", "killed"]);
    const reply = await client.receive();
    assert.equal(dec(reply.data), "200 OK\n\n");
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("peers outside --allow are logged once per interval with a count, not once per datagram", async () => {
  const lines: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
  let now = 1_000_000;
  const transport = defaultTransport();
  const server = createServer({
    transport,
    allow: ["10.0.0.0/8"],
    logger: { log: (level, message, fields) => lines.push({ level, message, fields }) },
    host: { now: () => new Date(now) },
  });
  const address = await server.listen("udp:127.0.0.1:0") as Address;
  const client = await transport.connectable(address);
  try {
    for (let i = 0; i < 50; i++) await client.send(enc(":version:\n"), address);
    await until(() => server.stats()["mi:denied"] === 50, "50 denied datagrams");
    const denied = () => lines.filter((l) => /outside --allow/.test(l.message));
    assert.equal(denied().length, 1);
    now += 61_000;
    await client.send(enc(":version:\n"), address);
    await until(() => server.stats()["mi:denied"] === 51, "the 51st");
    assert.equal(denied().length, 2);
    assert.equal(denied()[1].fields?.count, 49);
  } finally {
    await client.close();
    await server.close();
  }
});

test("--log-level debug logs each request with its method, peer, status and time", async () => {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const server = createServer({
    transport: defaultTransport(),
    logger: { log: (_l, message, fields) => lines.push({ message, fields }) },
  });
  await server.handle(enc(":version:\n"));
  await server.handle(enc(":nope:\n"));
  const requests = lines.filter((l) => l.message === "request").map((l) => l.fields!);
  assert.equal(requests[0].method, "version");
  assert.equal(requests[0].status, "ok");
  assert.equal(typeof requests[0].ms, "number");
  assert.match(String(requests[1].status), /^refused: method-not-found/);
  await server.close();
});

test("cache_store is bounded: a full cache answers as the real servers do and memory stays put", async () => {
  const server = createServer({
    transport: defaultTransport(),
    cache: { maxEntries: 3, maxBytes: 1000 },
  });
  const ask = async (text: string) => dec((await server.handle(enc(text)))!);
  for (let i = 0; i < 3; i++) {
    assert.equal(await ask(`:cache_store:\nlocal\nk${i}\nv\n`), "200 OK\n\n");
  }
  assert.equal(await ask(":cache_store:\nlocal\nk3\nv\n"), "500 cache_store command failed\n\n");
  // Replacing a key is not growth.
  assert.equal(await ask(":cache_store:\nlocal\nk0\nw\n"), "200 OK\n\n");
  assert.equal(await ask(":cache_remove:\nlocal\nk1\n"), "200 OK\n\n");
  assert.equal(
    await ask(`:cache_store:\nlocal\nbig\n${"x".repeat(2000)}\n`),
    "500 cache_store command failed\n\n",
  );
  assert.equal(await ask(":cache_store:\nlocal\nk3\nv\n"), "200 OK\n\n");
  await server.close();
});

test("--allow over real UDP: a peer on 127.0.0.2 inside the range is answered, one on 127.0.0.1 is not", async () => {
  const transport = defaultTransport();
  const server = createServer({ transport, allow: ["127.0.0.2/32"], version: "t" });
  const address = await server.listen("udp:127.0.0.1:0") as Address;
  // Clients bound to each loopback address; a request after the refused one
  // shows the refused one got no answer (replies come in order per peer).
  const inside = await transport.bind({ kind: "udp", host: "127.0.0.2", port: 0 });
  const outside = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
  try {
    await outside.send(enc(":version:\n"), address);
    await until(() => server.stats()["mi:denied"] === 1, "the refused datagram");
    await inside.send(enc(":version:\n"), address);
    const reply = await receiveWithin(inside, 3000);
    assert.equal(dec(reply.data), "200 OK\nServer:: t\n\n");
    assert.equal(server.stats()["mi:requests"], 1, "only the allowed peer's request was handled");
  } finally {
    await inside.close();
    await outside.close();
    await server.close();
  }
});

test("a transport whose trySend throws is logged, and the reply still goes out by send()", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-trysend-"));
  const real = defaultTransport();
  let throws = 1;
  // An embedder's transport with a faulty fast path: it throws once.
  const transport = {
    ...real,
    bind: async (address: Address, options?: Parameters<typeof real.bind>[1]) => {
      const socket = await real.bind(address, options);
      socket.trySend = () => {
        if (throws-- > 0) throw new Error("broken fast path");
        return false; // then the ordinary send()
      };
      return socket;
    },
  };
  const lines: string[] = [];
  const server = createServer({
    transport,
    logger: { log: (_l, message, fields) => lines.push(`${message} ${fields?.error ?? ""}`) },
  });
  const address = await server.listen({ kind: "unix", path: join(dir, "s.sock") }) as Address;
  const client = await real.connectable(address);
  try {
    for (let i = 0; i < 2; i++) {
      await client.send(enc(":version:\n"), address);
      const reply = await client.receive(AbortSignal.timeout(5000));
      assert.match(dec(reply.data), /^200 OK\n/);
    }
    assert.deepEqual(lines.filter((l) => l.startsWith("internal error")), [
      "internal error Error: broken fast path",
    ]);
  } finally {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
