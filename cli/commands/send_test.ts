import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { createServer, type MiServer } from "../../lib/server/server.ts";
import { MiReplyError } from "../../lib/server/mi_reply_error.ts";
import { node } from "../../lib/protocol/mi/reply_builders.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { formatAddress } from "../../lib/transport/address.ts";

async function withServer(
  fn: (unix: string, udp: string, server: MiServer, dir: string) => Promise<void>,
) {
  const dir = mkdtempSync(join(tmpdir(), "midgram-send-"));
  const transport = defaultTransport();
  const server = createServer({ transport, version: "midgram test", handlerTimeoutMs: 60_000 });
  server.registerMi("fail", () => {
    throw new MiReplyError(404, "Not found");
  });
  server.registerMi("stats", () => [node("dialog", null, { children: [node("active", "3")] })]);
  server.registerMi("echo", (args) => args.map((a) => node(a.name, a.value)));
  server.registerMi(
    "never",
    (_a, { signal }) => new Promise((r) => signal.addEventListener("abort", () => r())),
  );
  server.registerMi("cut", () => {
    // A reply that fills the whole datagram limit.
    const reply = [node(null, "x".repeat(65457 - "200 OK\n".length - 2))];
    return reply;
  });
  try {
    const unix = formatAddress(await server.listen({ kind: "unix", path: join(dir, "mi.sock") }));
    const udp = formatAddress(await server.listen("udp:127.0.0.1:0"));
    await fn(unix, udp, server, dir);
  } finally {
    // No grace period: "never" would keep close() waiting for its default 10 s.
    await server.close({ timeoutMs: 0 });
    rmSync(dir, { recursive: true, force: true });
  }
}

test("send prints the raw reply byte for byte and exits 0 on a 2xx reply", async () => {
  await withServer(async (unix, udp) => {
    for (const socket of [unix, udp]) {
      const io = captureIo();
      assert.equal(await cli(["send", "-s", socket, "version"], io), 0);
      assert.equal(io.out(), "200 OK\nServer:: midgram test\n\n");
      assert.equal(io.err(), "");
    }
  });
});

test("send quotes arguments when it must, and parses name::value", async () => {
  await withServer(async (unix) => {
    const io = captureIo();
    assert.equal(
      await cli(["send", "-s", unix, "echo", "key::a value ", "plain", "x::y::z"], io),
      0,
    );
    assert.equal(io.out(), "200 OK\nkey:: a value \nplain\nx:: y::z\n\n");
  });
});

test("send exits 1 on an error reply, naming the socket on stderr", async () => {
  await withServer(async (unix) => {
    const io = captureIo();
    assert.equal(await cli(["send", "-s", unix, "fail"], io), 1);
    assert.equal(io.out(), "404 Not found\n\n");
    assert.match(io.err(), new RegExp(`"${unix}" answered 404 Not found`));
    const io2 = captureIo();
    assert.equal(await cli(["send", "-s", unix, "no_such_command"], io2), 1);
    assert.equal(io2.out(), "500 command not available\n");
  });
});

test("send exits 3 when no reply comes in time", async () => {
  await withServer(async (unix) => {
    const io = captureIo();
    assert.equal(await cli(["send", "-s", unix, "-t", "200ms", "never"], io), 3);
    assert.equal(io.out(), "");
    assert.match(io.err(), /No reply from ".*mi\.sock" within 200 ms: is the server running/);
  });
});

test("send exits 4 on transport errors with the likely cause", async () => {
  const io = captureIo();
  assert.equal(await cli(["send", "-s", "/nonexistent/mi.sock", "version"], io), 4);
  assert.match(
    io.err(),
    /"\/nonexistent\/mi\.sock": no such socket: is the server running and is the path right\?/,
  );
});

test("send exits 5 for a reply that fills the size limit", async () => {
  await withServer(async (unix) => {
    const io = captureIo();
    assert.equal(await cli(["send", "-s", unix, "-q", "cut"], io), 5);
    assert.match(io.err(), /fills the 65457-byte limit/);
  });
});

test("send exits 2 on usage errors", async () => {
  const bad = [
    ["send", "-s", "sctp:1.2.3.4:5", "version"],
    ["send", "-s", "/x.sock", "-t", "soon", "version"],
    ["send", "--dialect", "mi", "-s", "/x.sock", "echo", 'na"me::v'],
    ["send", "-s", "/x.sock", "--json", "--value", "x", "version"],
    ["send", "--bogus"],
  ];
  for (const argv of bad) {
    const io = captureIo({ tty: true });
    assert.equal(await cli(argv, io), 2, argv.join(" "));
    assert.equal(io.out(), "");
    assert.notEqual(io.err(), "");
  }
  const tty = captureIo({ tty: true });
  assert.equal(await cli(["send", "-s", "/x.sock"], tty), 2);
  assert.match(tty.err(), /Missing command/);
});

test("send --json, --value and --quiet", async () => {
  await withServer(async (unix) => {
    const json = captureIo();
    assert.equal(await cli(["send", "-s", unix, "--json", "stats"], json), 0);
    assert.deepEqual(JSON.parse(json.out()), {
      code: 200,
      reason: "OK",
      nodes: [{
        name: "dialog",
        value: null,
        attributes: {},
        children: [{ name: "active", value: "3", attributes: {}, children: [] }],
      }],
    });
    const value = captureIo();
    assert.equal(await cli(["send", "-s", unix, "--value", "active", "stats"], value), 0);
    assert.equal(value.out(), "3\n");
    const missing = captureIo();
    assert.equal(await cli(["send", "-s", unix, "--value", "nope", "stats"], missing), 1);
    const quiet = captureIo();
    assert.equal(await cli(["send", "-s", unix, "-q", "version"], quiet), 0);
    assert.equal(quiet.out(), "");
  });
});

test("send -f sends a file byte for byte, and stdin when no command is given", async () => {
  await withServer(async (unix, _udp, _s, dir) => {
    const file = join(dir, "req.mi");
    writeFileSync(file, ":echo:\nk::v\r\n");
    const io = captureIo();
    assert.equal(await cli(["send", "-s", unix, "-f", file], io), 0);
    assert.equal(io.out(), "200 OK\nk:: v\n\n");
    const piped = captureIo({ stdin: ":version:\n" });
    assert.equal(await cli(["send", "-s", unix], piped), 0);
    assert.equal(piped.out(), "200 OK\nServer:: midgram test\n\n");
    const broken = captureIo({ stdin: ':echo:\nna"me::v\n' });
    assert.equal(await cli(["send", "-s", unix], broken), 1);
    assert.match(broken.err(), /warning: <stdin>:2:3: .*sent anyway/);
    assert.equal(broken.out(), "400 parse_error\n");
  });
});

test("send to several sockets labels each reply and exits with the worst status", async () => {
  await withServer(async (unix, udp) => {
    const io = captureIo();
    assert.equal(await cli(["send", "-s", unix, "-s", udp, "version"], io), 0);
    assert.equal(
      io.out(),
      `==> ${unix} <==\n200 OK\nServer:: midgram test\n\n==> ${udp} <==\n200 OK\nServer:: midgram test\n\n`,
    );
    const mixed = captureIo();
    assert.equal(
      await cli(["send", "-s", unix, "-s", "/nonexistent.sock", "-t", "1s", "version"], mixed),
      4,
    );
    // The failed target has its block too; why is on stderr.
    assert.equal(
      mixed.out(),
      `==> ${unix} <==\n200 OK\nServer:: midgram test\n\n==> /nonexistent.sock <==\n(no reply: exit 4)\n`,
    );
    assert.match(mixed.err(), /nonexistent\.sock/);
  });
});

test("send uses MIDGRAM_SOCKET when no -s is given", async () => {
  await withServer(async (unix) => {
    const io = captureIo({ env: { MIDGRAM_SOCKET: unix } });
    assert.equal(await cli(["send", "version"], io), 0);
  });
});

test("send --watch repeats until interrupted and exits with the last status", async () => {
  await withServer(async (unix) => {
    const io = captureIo();
    const running = cli(["send", "-s", unix, "--watch", "20ms", "version"], io);
    const limit = Date.now() + 10_000;
    while (io.out().split("200 OK").length < 4) {
      if (Date.now() > limit) {
        io.abort();
        await running;
        assert.fail(`fewer than 3 replies in 10 s: ${io.out()}${io.err()}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    io.abort();
    assert.equal(await running, 0);
    assert.ok(io.out().split("200 OK\nServer:: midgram test\n\n").length >= 4);
  });
});

test("send --value on text MI prints a node with attributes without the space before them", async () => {
  const { renderReply } = await import("./_send_output.ts");
  const bytes = new TextEncoder().encode(
    "200 OK\nProcess::  ID=0 PID=7 Type=attendant\nUp::  x\n\n",
  );
  const reply = {
    bytes,
    outcome: { kind: "result" as const, value: [] },
    error: null,
    rttMs: 1,
    from: null,
  };
  const at = (path: string) =>
    renderReply("mi", reply, { kind: "value", path }, { pretty: false, indent: "\t" }).bytes;
  assert.equal(at("Process"), "ID=0 PID=7 Type=attendant\n");
  // A value that is no attribute list keeps what it has.
  assert.equal(at("Up"), " x\n");
});

test("send --json and --value read a binrpc reply in its JSON form: repeated members kept, one value unwrapped", async () => {
  const { renderReply } = await import("./_send_output.ts");
  const { Members } = await import("../../lib/protocol/value.ts");
  const set = (id: number) => new Members([["ID", id]]);
  const value = [
    new Members([["NRSETS", 2], ["RECORDS", new Members([["SET", set(2)], ["SET", set(1)]])]]),
  ];
  const reply = {
    bytes: new Uint8Array(0),
    outcome: { kind: "result" as const, value },
    error: null,
    rttMs: 1,
    from: null,
  };
  const render = (mode: Parameters<typeof renderReply>[2]) =>
    renderReply("binrpc", reply, mode, { pretty: false, indent: "\t" }).bytes;
  assert.equal(
    render({ kind: "json" }),
    '{"NRSETS":2,"RECORDS":[{"SET":{"ID":2}},{"SET":{"ID":1}}]}\n',
  );
  assert.equal(render({ kind: "value", path: "RECORDS[].SET.ID" }), "2\n1\n");
  assert.equal(render({ kind: "value", path: "RECORDS.1.SET.ID" }), "1\n");
  assert.equal(render({ kind: "value", path: "0.NRSETS" }), "2\n");
});
