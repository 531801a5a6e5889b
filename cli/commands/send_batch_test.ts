import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { splitBatch } from "./_send_batch.ts";
import { createServer, type MiServer } from "../../lib/server/server.ts";
import { RpcError } from "../../lib/server/rpc_error.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { formatAddress } from "../../lib/transport/address.ts";

async function withServer(
  body: (sockets: Record<string, string>, peers: Set<string>, server: MiServer) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "midgram-batch-"));
  const server = createServer({ transport: defaultTransport(), version: "t" });
  const peers = new Set<string>();
  server.register("whoami", (_p, ctx) => {
    peers.add(ctx.from ? formatAddress(ctx.from) : "?");
    return "me";
  }, { noInput: true });
  server.register("fail", () => {
    throw new RpcError(404, "Not here");
  }, { noInput: true });
  const sockets: Record<string, string> = {};
  sockets.mi = formatAddress(await server.listen(join(dir, "mi.sock")));
  sockets.jsonrpc = `jsonrpc=${
    formatAddress(await server.listen(join(dir, "j.sock"), { dialect: "jsonrpc" }))
  }`;
  sockets.binrpc = `binrpc=${
    formatAddress(await server.listen(`unixs:${join(dir, "b.sock")}`, { dialect: "binrpc" }))
  }`;
  try {
    await body(sockets, peers, server);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("splitBatch() reads one request per line with quoting, or raw requests between NULs", () => {
  const lines = splitBatch(
    new TextEncoder().encode("version\n\n# note\ncache_store local 'a key' \"v 1\"\n"),
    false,
  );
  assert.deepEqual(lines.map((i) => [i.line, i.source]), [
    [1, { kind: "words", method: "version", words: [] }],
    [4, { kind: "words", method: "cache_store", words: ["local", "a key", "v 1"] }],
  ]);
  const raw = splitBatch(new TextEncoder().encode(":version:\n\0:which:\n"), true);
  assert.deepEqual(raw.map((i) => i.label), [":version:", ":which:"]);
});

test("send --batch answers every request in order over one client socket, in every dialect", async () => {
  await withServer(async (sockets, peers) => {
    for (const [dialect, socket] of Object.entries(sockets)) {
      peers.clear();
      const io = captureIo({ stdin: "whoami\nwhoami\nfail\nwhoami\n" });
      const status = await cli(["send", "-s", socket, "--batch", "-"], io);
      assert.equal(status, 1, `${dialect}: a failed request makes the batch fail`);
      const headers = io.out().split("\n").filter((l) => l.startsWith("==> "));
      assert.deepEqual(headers, [
        "==> 1: whoami (exit 0) <==",
        "==> 2: whoami (exit 0) <==",
        "==> 3: fail (exit 1) <==",
        "==> 4: whoami (exit 0) <==",
      ], dialect);
      if (dialect !== "binrpc") assert.equal(peers.size, 1, `${dialect}: one reply socket`);
      assert.match(io.err(), /request 3 \(line 3\)/);
    }
  });
});

test("send --batch --json writes one JSON line per request with its status", async () => {
  await withServer(async (sockets) => {
    const io = captureIo({ stdin: "whoami\nfail\nno.such\n" });
    assert.equal(await cli(["send", "-s", sockets.jsonrpc, "--json", "--batch", "-"], io), 1);
    const lines = io.out().trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.n, l.method, l.exit]), [
      [1, "whoami", 0],
      [2, "fail", 1],
      [3, "no.such", 1],
    ]);
    assert.equal(lines[0].reply, "me");
    assert.deepEqual(lines[1].reply, { error: { code: 404, message: "Not here" } });
  });
});

test("send --batch refuses what it cannot do and an empty batch", async () => {
  await withServer(async (sockets) => {
    for (
      const argv of [
        ["send", "-s", sockets.mi, "--batch", "-", "version"],
        ["send", "-s", sockets.mi, "--batch", "-", "--value", "x"],
      ]
    ) {
      const io = captureIo({ stdin: "version\n" });
      assert.equal(await cli(argv, io), 2, argv.join(" "));
    }
    const empty = captureIo({ stdin: "# nothing\n\n" });
    assert.equal(await cli(["send", "-s", sockets.mi, "--batch", "-"], empty), 2);
    assert.match(empty.err(), /no request/);
  });
});
