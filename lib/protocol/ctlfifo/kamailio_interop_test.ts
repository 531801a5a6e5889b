/**
 * ctl's FIFO protocol against a real Kamailio of the test's own (started by
 * `testing/kamailio.ts`, skipped with the reason when Kamailio is not
 * installed): the golden cases' status lines over UDP, TCP and the FIFO, and
 * midgram's client reading every reply. Kamailio 5.6.3 corrupts the values
 * of this protocol (see the README's known server defects), so only the
 * framing and the status lines are compared.
 *
 * @module
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { call } from "../../client/call.ts";
import { detectDialect } from "../../client/detect.ts";
import { runDifferential } from "../../fuzz/differential.ts";
import { createServer } from "../../server/server.ts";
import { defaultTransport } from "../../transport/open.ts";
import { createCtlFifoClientCodec } from "./create_ctlfifo_client_codec.ts";
import { type CtlFifoKamailio, startCtlFifoKamailio, udpExchange } from "./testing/kamailio.ts";

const ROOT = fileURLToPath(new URL("../../../testdata/ctlfifo/", import.meta.url));
const decoder = new TextDecoder();

interface Case {
  name: string;
  request: Uint8Array;
  expected: { reply?: null; status?: string; values?: boolean };
}

const cases: Case[] = readdirSync(ROOT).filter((f) => f.endsWith(".ctlfifo")).sort().map((f) => {
  const name = f.slice(0, -".ctlfifo".length);
  const { note: _, ...expected } = JSON.parse(readFileSync(`${ROOT}${name}.json`, "utf8"));
  return { name, request: new Uint8Array(readFileSync(ROOT + f)), expected };
});

function shape(reply: Uint8Array | null): Case["expected"] {
  if (reply === null || reply.length === 0) return { reply: null };
  const eol = reply.indexOf(0x0a);
  return { status: decoder.decode(reply.subarray(0, eol)), values: reply.length > eol + 1 };
}

/** One TCP connection: the request, the sending half closed, all the server writes until it closes. */
function tcpExchange(port: number, request: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: "127.0.0.1", port }, () => socket.end(request));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no end of the TCP reply within 5 s"));
    }, 5000);
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(new Uint8Array(Buffer.concat(chunks)));
    });
  });
}

let kamailio: CtlFifoKamailio | string = "not started";
before(async () => {
  kamailio = await startCtlFifoKamailio();
});
after(async () => {
  if (typeof kamailio !== "string") await kamailio.stop();
});

const skip = () => typeof kamailio === "string" ? kamailio : false;
const peer = () => kamailio as CtlFifoKamailio;

test("Kamailio's ctl answers the golden ctlfifo cases over UDP with their status lines", async (t) => {
  if (skip()) return t.skip(skip() as string);
  for (const { name, request, expected } of cases) {
    const reply = await udpExchange(peer().udp, request, expected.reply === null ? 300 : 2000);
    assert.deepEqual(shape(reply), expected, `case "${name}"`);
  }
});

test("Kamailio's ctl answers ctlfifo over TCP as over UDP, and closes after the client's end", async (t) => {
  if (skip()) return t.skip(skip() as string);
  for (const { name, request, expected } of cases) {
    const reply = await tcpExchange(peer().tcp, request);
    const first = reply.indexOf(0x0a);
    if (name === "two-requests") {
      // A stream carries both requests: both are answered, one after the other.
      assert.match(decoder.decode(reply), /^200 OK\n[^]*500 Command 'no\.such' not found\n$/);
      continue;
    }
    if (name === "echo-reads-past") {
      // ctl reads on into what its buffer holds: the bytes after the request if one read
      // brought them, else the request alone.
      assert.match(decoder.decode(reply.subarray(0, first)), /^(500 Server Internal Error|200 OK)/);
      continue;
    }
    if (name === "trailing-bytes") {
      // The bytes after the request start a second request that never ends.
      assert.equal(decoder.decode(reply.subarray(0, first)), "200 OK");
      continue;
    }
    assert.deepEqual(shape(reply), expected, `case "${name}"`);
  }
});

test("Kamailio's ctl answers ctlfifo over its FIFO into the reply FIFO; midgram's client reads it", async (t) => {
  if (skip()) return t.skip(skip() as string);
  const transport = defaultTransport();
  const codec = createCtlFifoClientCodec();
  const to = { kind: "fifo" as const, path: peer().fifo };
  for (const name of ["version", "unknown-method", "echo-with-params", "method-help-unknown"]) {
    const { request, expected } = cases.find((c) => c.name === name)!;
    // The client puts its own reply FIFO's name in (ctl makes replies in /tmp only).
    const reply = await call(to, request, { transport, codec, timeoutMs: 5000, replyDir: "/tmp" });
    assert.deepEqual(shape(reply.bytes), expected, `case "${name}"`);
    assert.notEqual(reply.outcome, null, `case "${name}": ${reply.error?.message}`);
  }
});

test("midgram's ctlfifo client reads every reply of Kamailio's ctl over UDP and TCP", async (t) => {
  if (skip()) return t.skip(skip() as string);
  const transport = defaultTransport();
  const codec = createCtlFifoClientCodec();
  for (
    const to of [
      { kind: "udp" as const, host: "127.0.0.1", port: peer().udp },
      { kind: "tcp" as const, host: "127.0.0.1", port: peer().tcp },
    ]
  ) {
    for (const method of ["core.version", "core.uptime", "system.listMethods", "no.such"]) {
      const reply = await call(to, { method, params: { kind: "positional", values: [] } }, {
        transport,
        codec,
        timeoutMs: 5000,
      });
      assert.notEqual(reply.outcome, null, `${to.kind} ${method}: ${reply.error?.message}`);
      assert.equal(
        reply.outcome!.kind,
        method === "no.such" ? "error" : "result",
        `${to.kind} ${method}`,
      );
    }
  }
});

test("detectDialect() finds ctlfifo on Kamailio's ctl UDP socket of that protocol", async (t) => {
  if (skip()) return t.skip(skip() as string);
  const found = await detectDialect({ kind: "udp", host: "127.0.0.1", port: peer().udp }, {
    transport: defaultTransport(),
    timeoutMs: 3000,
  });
  assert.equal(found.dialect, "ctlfifo");
});

test("fuzz --diff: midgram's ctlfifo server frames and words its replies as Kamailio's ctl", async (t) => {
  if (skip()) return t.skip(skip() as string);
  const transport = defaultTransport();
  const server = createServer({ transport });
  try {
    const ours = await server.listen("udp:127.0.0.1:0", { dialect: "ctlfifo" });
    const result = await runDifferential({
      ours: ours as { kind: "udp"; host: string; port: number },
      reference: { kind: "udp", host: "127.0.0.1", port: peer().udp },
      transport,
      dialect: "ctlfifo",
      runs: 60,
      timeMs: 60_000,
      timeoutMs: 300,
      seed: 11,
      corpus: cases.map((c) => c.request),
    });
    assert.equal(result.executed, 60);
    assert.deepEqual(
      result.differences.map((d) => `${d.what}: ${d.ours.verdict} / ${d.reference.verdict}`),
      [],
    );
  } finally {
    await server.close();
  }
});
