/**
 * Hostile input over all six transports (UNIX datagram, UDP, UNIX stream,
 * TCP, FIFO, HTTP), in memory and over the runtime's sockets: truncated and
 * oversized requests, lying lengths, deep nesting, invalid UTF-8, stalled
 * connections and many connections, each bounded in count. After each
 * flood the server must still answer a well-formed probe, and memory must
 * return: what the server holds for its peers ({@linkcode MiServer.retained})
 * goes back to nothing held (no connection, request, handler or buffered
 * byte), and its tables stay within their bounds.
 *
 * Everything reaches the server through the transport seam: raw bytes go
 * out as datagrams, on stream connections, through a FIFO framing that
 * writes them as they are, or as HTTP bodies.
 *
 * @module
 */
import { test } from "node:test";
import { concatBytes } from "../bytes.ts";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type MiServer, type Retained } from "./server.ts";
import { call } from "../client/call.ts";
import { clientCodec } from "../protocol/dialects.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { defaultTransport } from "../transport/open.ts";
import { withTimeout } from "../transport/_conformance_helpers.ts";
import { until } from "../transport/testing/wait.ts";
import type {
  Address,
  AnyAddress,
  RequestAddress,
  StreamAddress,
  StreamConnection,
  TcpAddress,
  Transport,
} from "../transport/types.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: (string | Uint8Array)[]) =>
  concatBytes(parts.map((p) => typeof p === "string" ? enc(p) : p));

/** Bytes that are not UTF-8: a lone continuation byte, an overlong form, a cut sequence. */
const BAD_UTF8 = Uint8Array.from([0x80, 0xc0, 0xaf, 0xff, 0xfe, 0xe2, 0x82]);

/** JSON documents no server should choke on. */
const HOSTILE_JSON: Uint8Array[] = [
  enc('{"jsonrpc":"2.0","method":"vers'),
  enc("[".repeat(20_000) + "]".repeat(20_000)),
  enc(`{"jsonrpc":"2.0","method":"version","params":${"[".repeat(20_000)}`),
  cat('{"jsonrpc":"2.0","method":"', BAD_UTF8, '","id":1}'),
  cat('{"jsonrpc":"2.0","method":"version","id":"', BAD_UTF8, '"}'),
  enc(`{"jsonrpc":"2.0","method":"version","params":["${"x".repeat(60_000)}"],"id":1}`),
  new Uint8Array(0),
  Uint8Array.from([0, 0, 0, 0]),
];

/** Half of a binrpc request: a header that announces more bytes than ever come. */
const HALF_BINRPC = Uint8Array.from([0xa1, 0x00, 0x20, 0x07, 0x31]);

/** A binrpc request for `core.version` whose parameters are `body`: header, method record, body. */
function binrpcRequest(params: Uint8Array): Uint8Array {
  const method = cat(Uint8Array.from([0x91, 13]), "core.version\0");
  const length = method.length + params.length;
  return cat(Uint8Array.from([0xa1, 0x04, length >> 8, length & 0xff, 0x07]), method, params);
}

/**
 * binrpc packets that lie: a header announcing 2 GiB, one announcing 32
 * bytes and giving 1, a record longer than its packet; arrays nested 5,000
 * deep (closed, and never closed); garbage.
 */
const HOSTILE_BINRPC: Uint8Array[] = [
  binrpcRequest(cat(new Uint8Array(5000).fill(0x04), new Uint8Array(5000).fill(0x84))),
  binrpcRequest(new Uint8Array(5000).fill(0x04)),
  binrpcRequest(Uint8Array.from([0x91, 0xff, 0x61])),
  Uint8Array.from([0xa1, 0x0c, 0x7f, 0xff, 0xff, 0xff, 0x01]),
  Uint8Array.from([0xa1, 0x00, 0x20, 0x07, 0x31]),
  Uint8Array.from([0xa1, 0x00, 0x02, 0x07, 0xff, 0xff, 0xff, 0xff]),
  cat(BAD_UTF8, BAD_UTF8),
];

const VERSION = {
  opensips: "version",
  kamailio: "core.version",
} as const;

interface Case {
  title: string;
  dialect: DialectName;
  flavour: "opensips" | "kamailio";
  /** Where to listen (temp paths under `dir`). */
  address(dir: string, memory: boolean): string;
  /**
   * Bytes the listener keeps once a request is read: a Kamailio FIFO keeps
   * what follows the closing brace (the probe's newline), as jsonrpcs does,
   * as the start of the next request. Default 0.
   */
  keeps?: number;
  /** Sends every hostile input, bounded; resolves once all are sent. */
  flood(transport: Transport, to: AnyAddress, memory: boolean, dir: string): Promise<void>;
}

/** Reads until the end of the stream (the server closed it), bounded by the caller. */
async function untilEnd(connection: StreamConnection): Promise<void> {
  while ((await connection.read()) !== null);
}

async function floodDatagrams(transport: Transport, to: Address): Promise<void> {
  const socket = await transport.connectable(to);
  try {
    for (const bytes of HOSTILE_JSON) await socket.send(bytes.subarray(0, 65_000), to);
  } finally {
    await socket.close();
  }
}

async function floodStream(transport: Transport, to: StreamAddress): Promise<void> {
  // Each lie on a connection of its own: the server answers or closes it.
  for (const bytes of HOSTILE_BINRPC) {
    const connection = await transport.connectStream(to);
    try {
      await connection.write(bytes).catch(() => {});
      await withTimeout(untilEnd(connection).catch(() => {}), 5000);
    } finally {
      await connection.close();
    }
  }
  // Many connections that stall half-way through a packet: all closed by the idle limit.
  const stalled: StreamConnection[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      const connection = await transport.connectStream(to);
      stalled.push(connection);
      await connection.write(HALF_BINRPC).catch(() => {});
    }
    await withTimeout(Promise.all(stalled.map((c) => untilEnd(c).catch(() => {}))), 10_000);
  } finally {
    await Promise.all(stalled.map((c) => c.close()));
  }
}

/** Sends raw bytes through a FIFO: a framing that writes them as they are. */
async function floodFifo(
  transport: Transport,
  to: RequestAddress,
  flavour: "opensips" | "kamailio",
  dir: string,
): Promise<void> {
  const own = clientCodec("jsonrpc").fifo!(flavour);
  const frames: ((name: string) => Uint8Array)[] = flavour === "opensips"
    ? [
      ...HOSTILE_JSON.map((json) => (name: string) => cat(`:${name}:`, json, "\n")),
      () => enc(":no second colon\n"),
      () => enc(`:${"n".repeat(5000)}:{}\n`),
      () => cat(BAD_UTF8, "\n"),
    ]
    : [
      // Not the cut string: jsonrpcs reads on through the next request until
      // its 8191-byte buffer is full, as the reader does.
      ...HOSTILE_JSON.slice(1).filter((j) => j.length < 100 && j.length > 0).map((json) => () =>
        cat('{"reply_name":"x","j":', json, "}")
      ),
      // Over the 8191-byte buffer: dropped, and reading starts over in its
      // tail, which holds no brace (a stray '}' there would leave the scan a
      // level below zero, one document behind, as jsonrpcs's count would).
      () => enc(`{"reply_name":"x","pad":[${"1,".repeat(4600)}`),
      () => cat('{"reply_name":"', BAD_UTF8, '","method":"core.version"}'),
      () => enc('{"method":"core.version"}'),
      () => enc('{"reply_name":"x","method":}'),
      () => enc('{"reply_name":"x","method":"core.version","params":[1,2}'),
    ];
  for (const frame of frames) {
    await transport.exchange(to, new Uint8Array(0), {
      fifo: { ...own, request: (_request, name) => frame(name) },
      replyDir: dir,
      timeoutMs: 150,
    }).catch(() => {});
  }
}

async function floodHttp(transport: Transport, to: RequestAddress, memory: boolean): Promise<void> {
  const http = clientCodec("jsonrpc").http!;
  for (const body of [...HOSTILE_JSON, new Uint8Array(70_000).fill(0x5b)]) {
    await transport.exchange(to, body, { http, timeoutMs: 3000 }).catch(() => {});
  }
  if (memory || to.kind !== "http") return;
  // Raw connections that stall inside their headers or body: closed by the idle limit.
  const url = new URL(to.url);
  const tcp: TcpAddress = { kind: "tcp", host: url.hostname, port: Number(url.port) };
  const stalled: StreamConnection[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      const connection = await transport.connectStream(tcp);
      stalled.push(connection);
      await connection.write(
        enc(
          i % 2
            ? "POST /mi HTTP/1.1\r\nContent-Le"
            : "POST /mi HTTP/1.1\r\nContent-Length: 90\r\n\r\n{",
        ),
      ).catch(() => {});
    }
    await withTimeout(Promise.all(stalled.map((c) => untilEnd(c).catch(() => {}))), 10_000);
  } finally {
    await Promise.all(stalled.map((c) => c.close()));
  }
}

const CASES: Case[] = [
  {
    title: "UNIX datagram",
    dialect: "jsonrpc",
    flavour: "opensips",
    address: (dir, memory) => `unix:${memory ? "/memory" : dir}/mi.sock`,
    flood: (transport, to) => floodDatagrams(transport, to as Address),
  },
  {
    title: "UDP",
    dialect: "jsonrpc",
    flavour: "kamailio",
    address: () => "udp:127.0.0.1:0",
    flood: (transport, to) => floodDatagrams(transport, to as Address),
  },
  {
    title: "UNIX stream",
    dialect: "binrpc",
    flavour: "kamailio",
    address: (dir, memory) => `unixs:${memory ? "/memory" : dir}/ctl.sock`,
    flood: (transport, to) => floodStream(transport, to as StreamAddress),
  },
  {
    title: "TCP",
    dialect: "binrpc",
    flavour: "kamailio",
    address: () => "tcp:127.0.0.1:0",
    flood: (transport, to) => floodStream(transport, to as StreamAddress),
  },
  {
    title: "FIFO (OpenSIPS)",
    dialect: "jsonrpc",
    flavour: "opensips",
    address: (dir, memory) => `fifo:${memory ? "/memory" : dir}/mi_fifo`,
    flood: (transport, to, _memory, dir) =>
      floodFifo(transport, to as RequestAddress, "opensips", dir),
  },
  {
    title: "FIFO (Kamailio)",
    dialect: "jsonrpc",
    flavour: "kamailio",
    address: (dir, memory) => `fifo:${memory ? "/memory" : dir}/kamailio_fifo`,
    keeps: 1,
    flood: (transport, to, _memory, dir) =>
      floodFifo(transport, to as RequestAddress, "kamailio", dir),
  },
  {
    title: "HTTP",
    dialect: "jsonrpc",
    flavour: "kamailio",
    address: () => "http://127.0.0.1:0/rpc",
    flood: (transport, to, memory) => floodHttp(transport, to as RequestAddress, memory),
  },
];

async function probe(
  server: MiServer,
  transport: Transport,
  to: AnyAddress,
  c: Case,
  dir: string,
): Promise<void> {
  const reply = await call(to, {
    method: VERSION[c.dialect === "binrpc" ? "kamailio" : c.flavour],
    params: { kind: "positional", values: [] },
  }, {
    transport,
    codec: clientCodec(c.dialect),
    flavour: c.flavour,
    replyDir: dir,
    timeoutMs: 5000,
  });
  assert.equal(reply.outcome?.kind, "result", "the server still answers a well-formed request");
  void server;
}

/** What a server holds once nothing is under way: every count 0. */
const NOTHING_HELD = {
  connections: 0,
  gatedConnections: 0,
  inFlight: 0,
  handlersRunning: 0,
  handlersWaiting: 0,
  streamBytes: 0,
  requestsWaiting: 0,
  requestBytes: 0,
};

/** The counts of {@linkcode NOTHING_HELD} in what a server retains now. */
function held(server: MiServer): typeof NOTHING_HELD {
  const now = server.retained();
  return Object.fromEntries(
    Object.keys(NOTHING_HELD).map((k) => [k, now[k as keyof Retained]]),
  ) as typeof NOTHING_HELD;
}

/**
 * Waits until the server holds what it held before the flood (the last
 * connections close and the last replies go out after the client has its
 * answer), then checks it: a leak keeps a count up and fails with the counts.
 */
async function heldAsBefore(
  server: MiServer,
  before: typeof NOTHING_HELD,
  when: string,
): Promise<void> {
  await until(() => isDeepStrictEqual(held(server), before), "the server to let go")
    .catch(() => {});
  assert.deepEqual(held(server), before, `what the server holds ${when}`);
}

for (const [runtime, memory] of [["memory", true], ["sockets", false]] as const) {
  for (const c of CASES) {
    test(`hostile input over ${c.title} (${runtime}): the server still answers a well-formed probe and lets go of what the flood took`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "midgram-hostile-"));
      const transport = memory ? createMemoryTransport() : defaultTransport();
      const server = createServer({ transport, idleTimeoutMs: 300, fifoReplyDir: dir });
      try {
        const to = await server.listen(c.address(dir, memory), {
          dialect: c.dialect,
          flavour: c.flavour,
        });
        await probe(server, transport, to, c, dir);
        // Once the probe is answered, nothing is held.
        const before = { ...NOTHING_HELD, requestBytes: c.keeps ?? 0 };
        await heldAsBefore(server, before, "before the flood");
        const tables = server.retained();
        await withTimeout(c.flood(transport, to, memory, dir), 30_000);
        await probe(server, transport, to, c, dir);
        // Memory returns: the flood's connections, requests and bytes are all let go.
        await heldAsBefore(server, before, "after the flood");
        // The tables grow only by what the flood could name once: a cause
        // per kind of warning, a counter per registered command it called.
        const after = server.retained();
        assert.ok(after.logCauses <= 16, `log causes bounded: ${after.logCauses}`);
        const commands = server.commands(c.dialect === "binrpc" ? "kamailio" : c.flavour).length;
        assert.ok(
          after.counters <= tables.counters + commands,
          `counters bounded: ${tables.counters} before, ${after.counters} after`,
        );
        const stats = server.stats();
        const refused = Object.entries(stats)
          .filter(([k]) =>
            /:(parse_errors|invalid_requests|oversized|idle_timeouts|empty)$/.test(k)
          )
          .reduce((n, [, v]) => n + v, 0);
        assert.ok(refused > 0, `the hostile input was seen and refused: ${JSON.stringify(stats)}`);
      } finally {
        await server.close({ timeoutMs: 0 });
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
