/**
 * The server's policies for every IP and stream transport, over real
 * sockets: the allow-list on TCP and HTTP, stalled connections closed after
 * the idle time limit, the cap on open connections, and one log line per
 * cause per interval under a flood.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type MiServer } from "./server.ts";
import { call } from "../client/call.ts";
import { clientCodec } from "../protocol/dialects.ts";
import { httpPost } from "../transport/http.ts";
import { serveServerMetrics } from "../exporter/server_metrics.ts";
import { defaultTransport } from "../transport/open.ts";
import type {
  Address,
  HttpAddress,
  StreamAddress,
  StreamConnection,
  TcpAddress,
} from "../transport/types.ts";
import { withTimeout } from "../transport/_conformance_helpers.ts";
import type { LogLevel } from "./types.ts";
import { until } from "../transport/testing/wait.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const VERSION_CALL = {
  method: "core.version",
  params: { kind: "positional" as const, values: [] },
};

/** Half of a binrpc request: a header that announces more bytes than ever come. */
const HALF_BINRPC = Uint8Array.from([0xa1, 0x00, 0x20, 0x07, 0x31]);

/** The HTTP socket's host and port, to reach it with a raw TCP connection. */
function tcpOf(address: HttpAddress): TcpAddress {
  const url = new URL(address.url);
  return { kind: "tcp", host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) };
}

/** Reads until the end of the stream; resolves with the bytes read (bounded by `withTimeout`). */
async function untilEnd(connection: StreamConnection): Promise<number> {
  let bytes = 0;
  while (true) {
    const chunk = await connection.read();
    if (chunk === null) return bytes;
    bytes += chunk.length;
  }
}

/** Opens `n` connections, one after another. */
async function connectMany(to: StreamAddress, n: number): Promise<StreamConnection[]> {
  const transport = defaultTransport();
  const out: StreamConnection[] = [];
  for (let i = 0; i < n; i++) out.push(await transport.connectStream(to));
  return out;
}

/** Connections the server holds open. */
const openCount = (server: MiServer) =>
  (server as unknown as { openConnections(): unknown[] }).openConnections().length;

function collectLog() {
  const lines: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    logger: {
      log: (level: LogLevel, message: string, fields?: Record<string, unknown>) =>
        lines.push({ level, message, fields }),
    },
  };
}

async function probeBinrpc(server: MiServer, to: StreamAddress): Promise<void> {
  const reply = await call(to, VERSION_CALL, {
    transport: defaultTransport(),
    codec: clientCodec("binrpc"),
    timeoutMs: 3000,
  });
  assert.equal(reply.outcome?.kind, "result", "the server still answers a well-formed request");
  void server;
}

test("serve --allow refuses TCP and HTTP peers outside the ranges, and answers those inside", async () => {
  const { lines, logger } = collectLog();
  const outside = createServer({ transport: defaultTransport(), allow: ["10.0.0.0/8"], logger });
  const inside = createServer({ transport: defaultTransport(), allow: ["127.0.0.0/8", "::1/128"] });
  try {
    const tcp = await outside.listen("tcp:127.0.0.1:0", { dialect: "binrpc" }) as TcpAddress;
    const http = await outside.listen("http://127.0.0.1:0/mi", {
      dialect: "jsonrpc",
    }) as HttpAddress;
    // TCP: the connection is closed before anything is read or answered.
    const [connection] = await connectMany(tcp, 1);
    await connection.write(
      clientCodec("binrpc").encodeRequest("core.version", VERSION_CALL.params, 1),
    )
      .catch(() => {});
    assert.equal(await withTimeout(untilEnd(connection).catch(() => 0)), 0, "no reply over TCP");
    await connection.close();
    // HTTP: the same, before the request is read (a raw connection: an HTTP
    // client library may retry on its own).
    const [web] = await connectMany(tcpOf(http), 1);
    await web.write(enc("POST /mi HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"))
      .catch(() => {});
    assert.equal(await withTimeout(untilEnd(web).catch(() => 0)), 0, "no reply over HTTP");
    await web.close();
    assert.equal(outside.stats()["binrpc:denied"], 1);
    assert.equal(outside.stats()["jsonrpc:denied"], 1);
    assert.equal(lines.filter((l) => /outside --allow/.test(l.message)).length, 1, "one line");

    const tcpIn = await inside.listen("tcp:127.0.0.1:0", { dialect: "binrpc" }) as TcpAddress;
    const httpIn = await inside.listen("http://127.0.0.1:0/mi", {
      dialect: "jsonrpc",
    }) as HttpAddress;
    await probeBinrpc(inside, tcpIn);
    const body = enc('{"jsonrpc":"2.0","method":"version","id":1}');
    const answered = await httpPost(httpIn.url, body, { timeoutMs: 3000 });
    assert.equal(answered.status, 200);
  } finally {
    await outside.close();
    await inside.close();
  }
});

test("serve --allow holds for the --metrics listener too", async () => {
  const server = createServer({ transport: defaultTransport() });
  const outside = await serveServerMetrics(server, "127.0.0.1:0", "t", { allow: ["10.0.0.0/8"] });
  const inside = await serveServerMetrics(server, "127.0.0.1:0", "t", { allow: ["127.0.0.1"] });
  try {
    const scrape = async (port: number) => {
      const [c] = await connectMany({ kind: "tcp", host: "127.0.0.1", port }, 1);
      await c.write(enc("GET /metrics HTTP/1.0\r\n\r\n")).catch(() => {});
      const bytes = await withTimeout(untilEnd(c).catch(() => 0));
      await c.close();
      return bytes;
    };
    assert.equal(await scrape(outside.address.port), 0, "refused before it is read");
    assert.ok(await scrape(inside.address.port) > 0, "answered");
  } finally {
    await outside.close();
    await inside.close();
    await server.close();
  }
});

test("serve closes stalled UNIX-stream, TCP and HTTP connections after the idle time limit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-idle-"));
  const server = createServer({ transport: defaultTransport(), idleTimeoutMs: 300 });
  const all: StreamConnection[] = [];
  try {
    const tcp = await server.listen("tcp:127.0.0.1:0", { dialect: "binrpc" }) as StreamAddress;
    const unix = await server.listen(`unixs:${join(dir, "ctl")}`, {
      dialect: "binrpc",
    }) as StreamAddress;
    const http = await server.listen("http://127.0.0.1:0/mi", {
      dialect: "jsonrpc",
    }) as HttpAddress;
    const streams = [...await connectMany(tcp, 80), ...await connectMany(unix, 80)];
    const webs = await connectMany(tcpOf(http), 40);
    all.push(...streams, ...webs);
    // Half send nothing at all, half send half a request and stop.
    // (A write may find its connection closed already: the limit is short.)
    for (const [i, c] of streams.entries()) {
      if (i % 2) await c.write(HALF_BINRPC).catch(() => {});
    }
    for (const [i, c] of webs.entries()) {
      if (i % 2) {
        await c.write(enc("POST /mi HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n{"))
          .catch(() => {});
      }
    }
    // Every one of the 200 is closed by the server (an HTTP peer may get a 408 first).
    await withTimeout(Promise.all(all.map((c) => untilEnd(c).catch(() => 0))), 10_000);
    assert.equal(server.stats()["binrpc:idle_timeouts"], 160);
    await probeBinrpc(server, tcp);
  } finally {
    await Promise.all(all.map((c) => c.close()));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("serve's idle time limit never cuts an HTTP request whose command runs longer", async () => {
  const server = createServer({ transport: defaultTransport(), idleTimeoutMs: 200 });
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  server.register("slow", async () => {
    entered();
    await released;
    return "done";
  }, { noInput: true });
  try {
    const tcp = await server.listen("tcp:127.0.0.1:0", { dialect: "binrpc" }) as StreamAddress;
    const http = await server.listen("http://127.0.0.1:0/mi", {
      dialect: "jsonrpc",
    }) as HttpAddress;
    const asking = httpPost(http.url, enc('{"jsonrpc":"2.0","method":"slow","id":1}'), {
      timeoutMs: 10_000,
    });
    await withTimeout(inHandler);
    // A connection opened now and left silent is closed after the idle
    // limit: by then the HTTP connection has been silent that long too.
    const [stalled] = await connectMany(tcp, 1);
    await withTimeout(untilEnd(stalled).catch(() => 0));
    await stalled.close();
    release();
    const reply = await withTimeout(asking);
    assert.equal(reply.status, 200);
    assert.match(new TextDecoder().decode(reply.body), /"result":\s*"done"/);
  } finally {
    release();
    await server.close();
  }
});

test("serve caps the connections open on a stream or HTTP socket: past it, closed at once", async () => {
  const server = createServer({
    transport: defaultTransport(),
    maxConnections: 20,
    idleTimeoutMs: 60_000,
  });
  const all: StreamConnection[] = [];
  try {
    const tcp = await server.listen("tcp:127.0.0.1:0", { dialect: "binrpc" }) as StreamAddress;
    const http = await server.listen("http://127.0.0.1:0/mi", {
      dialect: "jsonrpc",
    }) as HttpAddress;
    const kept = await connectMany(tcp, 20);
    all.push(...kept);
    // The 20 are accepted (each answers) before more come.
    for (const c of kept) {
      await c.write(HALF_BINRPC);
    }
    await until(() => openCount(server) === 20, "20 open connections");
    const extra = await connectMany(tcp, 100);
    all.push(...extra);
    await withTimeout(Promise.all(extra.map((c) => untilEnd(c).catch(() => 0))), 10_000);
    assert.equal(server.stats()["binrpc:connections_refused"], 100);
    // HTTP: 20 held open, 30 more closed at once.
    const webKept = await connectMany(tcpOf(http), 20);
    all.push(...webKept);
    for (const c of webKept) await c.write(enc("POST /mi HTTP/1.1\r\n"));
    const webExtra = await connectMany(tcpOf(http), 30);
    all.push(...webExtra);
    await withTimeout(Promise.all(webExtra.map((c) => untilEnd(c).catch(() => 0))), 10_000);
    // Closing one makes room for another.
    await kept.pop()!.close();
    await until(() => openCount(server) === 19, "the closed one to go");
    await probeBinrpc(server, tcp);
  } finally {
    await Promise.all(all.map((c) => c.close()));
    await server.close();
  }
});

test("serve logs one line per cause per interval under a flood, with a count", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-flood-"));
  const transport = defaultTransport();
  const { lines, logger } = collectLog();
  let now = 1_000_000;
  const server = createServer({ transport, logger, host: { now: () => new Date(now) } });
  // Each handler waits until the test releases it (after its client is gone).
  let release!: () => void;
  let released = new Promise<void>((resolve) => (release = resolve));
  server.register("wait", async () => {
    await released;
    return null;
  }, { noInput: true });
  const address = await server.listen({ kind: "unix", path: join(dir, "s.sock") }) as Address;
  const client = await transport.connectable(address);
  try {
    // 200 requests whose client is gone before the replies: 200 undeliverable replies.
    for (let i = 0; i < 200; i++) await client.send(enc(":wait:\n"), address);
    await until(() => server.stats()["mi:requests"] === 200, "200 requests");
    await client.close();
    release();
    await until(() => server.stats()["mi:send_errors"] === 200, "200 send errors", 10_000);
    const undelivered = () => lines.filter((l) => /not delivered/.test(l.message));
    assert.equal(undelivered().length, 1, "one line for 200 undeliverable replies");
    // After the interval, the next one says how many were not logged.
    now += 61_000;
    released = new Promise<void>((resolve) => (release = resolve));
    const again = await transport.connectable(address);
    await again.send(enc(":wait:\n"), address);
    await until(() => server.stats()["mi:requests"] === 201, "the 201st request");
    await again.close();
    release();
    await until(() => server.stats()["mi:send_errors"] === 201, "the 201st send error");
    assert.equal(undelivered().length, 2);
    assert.equal(undelivered()[1].fields?.count, 199);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
