// The client over the memory transport: call(), openSession(),
// detectDialect() and listMethods() against midgram's own server in each
// dialect, and against raw peers that stay silent or answer from elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { call, openSession } from "./call.ts";
import { detectDialect } from "./detect.ts";
import { listMethods, listMethodsName } from "./methods.ts";
import { clientCodec } from "../protocol/dialects.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { createServer, type MiServer } from "../server/server.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { receiveWithin } from "../transport/testing/wait.ts";
import type { Address, AnyAddress, Transport } from "../transport/types.ts";
import { MidgramError } from "../errors.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const VERSION = { method: "version", params: { kind: "positional", values: [] } } as const;

/** A midgram server on the memory transport, closed after `body`. */
async function withServer(
  body: (server: MiServer, transport: Transport) => Promise<void>,
): Promise<void> {
  const transport = createMemoryTransport();
  const server = createServer({ transport, version: "unit" });
  server.register("echo", (params) => params.kind === "positional" ? [...params.values] : null);
  try {
    await body(server, transport);
  } finally {
    await server.close();
  }
}

for (const dialect of ["mi", "jsonrpc", "binrpc"] as const satisfies readonly DialectName[]) {
  // Stream sockets carry binrpc only.
  const kinds = dialect === "binrpc" ? ["unix", "unix-stream"] as const : ["unix"] as const;
  test(`call() gets the answer of a ${dialect} server over ${kinds.join(" and ")}`, async () => {
    await withServer(async (server, transport) => {
      for (const kind of kinds) {
        const address = await server.listen({ kind, path: `/${dialect}-${kind}.sock` }, {
          dialect,
        });
        const reply = await call(address, {
          method: "echo",
          params: { kind: "positional", values: ["a", "b c"] },
        }, { transport, codec: clientCodec(dialect), timeoutMs: 2000 });
        assert.equal(reply.error, null, `${dialect} over ${kind}`);
        assert.equal(reply.outcome?.kind, "result", `${dialect} over ${kind}: ${dec(reply.bytes)}`);
        assert.ok(reply.rttMs >= 0);
        assert.match(dec(reply.bytes), /b c/);
      }
    });
  });
}

test("call() reads an error reply as an error outcome, not a transport failure", async () => {
  await withServer(async (server, transport) => {
    const address = await server.listen({ kind: "unix", path: "/mi.sock" });
    const reply = await call(address, {
      method: "no_such_command",
      params: { kind: "positional", values: [] },
    }, { transport, codec: clientCodec("mi"), timeoutMs: 2000 });
    assert.deepEqual(reply.outcome, { kind: "error", code: 500, message: "command not available" });
  });
});

test("call() sends bytes as they are", async () => {
  await withServer(async (server, transport) => {
    const address = await server.listen({ kind: "unix", path: "/mi.sock" });
    const reply = await call(address, enc(":version:\n"), {
      transport,
      codec: clientCodec("mi"),
      timeoutMs: 2000,
    });
    assert.equal(dec(reply.bytes), "200 OK\nServer:: unit\n\n");
  });
});

test("call() fails with a timeout when the peer never answers, and retries over UDP", async () => {
  const transport = createMemoryTransport();
  const silent = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 7001 });
  try {
    const started = call(silent.address, VERSION, {
      transport,
      codec: clientCodec("mi"),
      timeoutMs: 50,
      retries: 1,
    });
    const rejected = assert.rejects(
      started,
      (e) => e instanceof MidgramError && e.code === "timeout",
    );
    // The first attempt and the retry both arrive.
    await receiveWithin(silent, 2000);
    await receiveWithin(silent, 2000);
    await rejected;
  } finally {
    await silent.close();
  }
});

test("call() takes no datagram from another address for the answer", async () => {
  const transport = createMemoryTransport();
  const peer = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 7002 });
  const forger = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 7003 });
  try {
    const pending = call(peer.address, enc(":version:\n"), {
      transport,
      codec: clientCodec("mi"),
      timeoutMs: 2000,
    });
    const { from } = await receiveWithin(peer, 2000);
    assert.ok(from !== null);
    await forger.send(enc("200 OK\nServer:: forged\n\n"), from as Address);
    await peer.send(enc("200 OK\nServer:: real\n\n"), from as Address);
    const reply = await pending;
    assert.equal(dec(reply.bytes), "200 OK\nServer:: real\n\n");
    assert.deepEqual(reply.from, peer.address);
  } finally {
    await peer.close();
    await forger.close();
  }
});

test("call() names the server of a binrpc stream reply that is no packet, exit 5", async () => {
  const transport = createMemoryTransport();
  const listener = await transport.listenStream({ kind: "unix-stream", path: "/garbage.sock" });
  try {
    const pending = call(listener.address, VERSION, {
      transport,
      codec: clientCodec("binrpc"),
      timeoutMs: 2000,
    });
    const connection = await listener.accept();
    try {
      assert.ok(await connection.read());
      // Not binrpc's magic and version: no packet can start here.
      await connection.write(Uint8Array.from([0xb1, 0x00, 0x00, 0x00]));
      await assert.rejects(pending, (e) => {
        assert.ok(e instanceof MidgramError, String(e));
        assert.deepEqual([e.code, e.exitCode], ["reply-syntax", 5]);
        assert.match(
          e.message,
          /^Reply from "unixs:\/garbage\.sock": Cannot read binrpc at byte 0: /,
        );
        return true;
      });
    } finally {
      await connection.close();
    }
  } finally {
    await listener.close();
  }
});

test("openSession() answers several calls on one connection, and close() is idempotent", async () => {
  await withServer(async (server, transport) => {
    const address = await server.listen({ kind: "unix-stream", path: "/ctl.sock" }, {
      dialect: "binrpc",
    });
    const session = openSession(address, { transport, codec: clientCodec("binrpc") });
    try {
      for (const word of ["one", "two", "three"]) {
        const reply = await session.call({
          method: "echo",
          params: { kind: "positional", values: [word] },
        });
        assert.deepEqual(reply.outcome, { kind: "result", value: [word] });
      }
      assert.equal(server.stats()["binrpc:requests"], 3);
    } finally {
      await session.close();
      await session.close();
    }
  });
});

test("openSession() over a datagram socket answers several calls in turn", async () => {
  await withServer(async (server, transport) => {
    const address = await server.listen({ kind: "udp", host: "127.0.0.1", port: 7004 }, {
      dialect: "jsonrpc",
    });
    const session = openSession(address, { transport, codec: clientCodec("jsonrpc") });
    try {
      for (const word of ["one", "two"]) {
        const reply = await session.call({
          method: "echo",
          params: { kind: "positional", values: [word] },
        });
        assert.deepEqual(reply.outcome, { kind: "result", value: [word] });
      }
    } finally {
      await session.close();
    }
  });
});

test("detectDialect() names the dialect of each kind of server", async () => {
  await withServer(async (server, transport) => {
    const cases: [string, { dialect: DialectName; flavour?: "opensips" | "kamailio" }][] = [
      ["/mi.sock", { dialect: "mi" }],
      ["/os.sock", { dialect: "jsonrpc", flavour: "opensips" }],
      ["/kam.sock", { dialect: "jsonrpc", flavour: "kamailio" }],
      ["/bin.sock", { dialect: "binrpc" }],
    ];
    for (const [path, options] of cases) {
      const address = await server.listen({ kind: "unix", path }, options);
      const found = await detectDialect(address, { transport, timeoutMs: 2000 });
      assert.equal(found.dialect, options.dialect, path);
      assert.equal(found.flavour, options.flavour, path);
      assert.ok(found.how.length > 0);
    }
    // Streams, FIFOs and HTTP are known by their kind, without a probe.
    const stream: AnyAddress = { kind: "unix-stream", path: "/nothing-here.sock" };
    assert.equal((await detectDialect(stream, { transport, timeoutMs: 50 })).dialect, "binrpc");
  });
});

test("detectDialect() fails with a timeout when the datagram peer never answers", async () => {
  const transport = createMemoryTransport();
  const silent = await transport.bind({ kind: "unix", path: "/silent.sock" });
  try {
    await assert.rejects(
      detectDialect(silent.address, { transport, timeoutMs: 50 }),
      (e) => e instanceof MidgramError && e.code === "timeout",
    );
  } finally {
    await silent.close();
  }
});

test("listMethods() lists what the server serves in each dialect, and nothing when it is gone", async () => {
  await withServer(async (server, transport) => {
    for (
      const [dialect, flavour] of [["mi"], ["jsonrpc", "opensips"], ["jsonrpc", "kamailio"], [
        "binrpc",
      ]] as [DialectName, ("opensips" | "kamailio")?][]
    ) {
      const address = await server.listen({ kind: "unix", path: `/${dialect}-${flavour}.sock` }, {
        dialect,
        flavour,
      });
      const methods = await listMethods(address, {
        transport,
        codec: clientCodec(dialect),
        flavour,
        timeoutMs: 2000,
      });
      assert.ok(methods.includes("echo"), `${dialect} ${flavour ?? ""}: ${methods.join(" ")}`);
      assert.ok(methods.every((m) => m !== ""));
    }
    const gone = await listMethods({ kind: "unix", path: "/gone.sock" }, {
      transport,
      codec: clientCodec("mi"),
      timeoutMs: 50,
    });
    assert.deepEqual(gone, []);
  });
});

test("listMethodsName() asks which in text MI and OpenSIPS JSON-RPC, system.listMethods otherwise", () => {
  assert.equal(listMethodsName("mi"), "which");
  assert.equal(listMethodsName("jsonrpc", "opensips"), "which");
  assert.equal(listMethodsName("jsonrpc", "kamailio"), "system.listMethods");
  assert.equal(listMethodsName("binrpc"), "system.listMethods");
});
