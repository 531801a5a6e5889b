/**
 * A parameter of the wrong record type (a struct or array where a scalar is
 * read) over binrpc: `midgram serve` answers what Kamailio 5.6.3's `ctl`
 * answered (testdata/binrpc/server/wrong_type/, captured from the real
 * server), byte for byte, on every binrpc transport; and, when a real
 * Kamailio runs (`MIDGRAM_KAMAILIO_RUNDIR`), the cases still match it.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "../../server.ts";
import { defaultTransport } from "../../../transport/open.ts";
import type { Address, StreamAddress } from "../../../transport/types.ts";
import { caseNames, parseHex, readText, testdata } from "../../../protocol/binrpc/testing/hex.ts";

const dir = testdata("server/wrong_type");
const cases = caseNames(dir, ".request.hex").map((name) => ({
  name,
  request: parseHex(readText(`${dir}${name}.request.hex`)!),
  reply: parseHex(readText(`${dir}${name}.reply.hex`)!),
}));

/** One request and its reply over a stream connection (read until the reply's length). */
async function overStream(address: StreamAddress, request: Uint8Array, want: number) {
  const connection = await defaultTransport().connectStream(address);
  try {
    await connection.write(request, { timeoutMs: 2000 });
    const signal = AbortSignal.timeout(3000);
    let got = new Uint8Array(0);
    while (got.length < want) {
      const chunk = await connection.read(signal);
      if (chunk === null) break;
      got = Uint8Array.from([...got, ...chunk]);
    }
    return got;
  } finally {
    await connection.close();
  }
}

/** One request and its reply over a datagram socket. */
async function overDatagram(peer: Address, request: Uint8Array) {
  const socket = await defaultTransport().connectable(peer);
  try {
    await socket.send(request, peer, { timeoutMs: 2000 });
    return (await socket.receive(AbortSignal.timeout(3000))).data;
  } finally {
    await socket.close();
  }
}

const ask = (address: Address | StreamAddress, request: Uint8Array, want: number) =>
  address.kind === "unix-stream" || address.kind === "tcp"
    ? overStream(address as StreamAddress, request, want)
    : overDatagram(address as Address, request);

test("the wrong-type golden cases are there", () => {
  assert.ok(cases.length >= 9, `${cases.length} cases in ${dir}`);
});

test(
  "midgram serve answers a struct or array parameter as Kamailio's ctl does, on unixs, unixd, udp and tcp",
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), "midgram-wrong-type-"));
    const server = createServer({ transport: defaultTransport(), version: "midgram stand-in" });
    try {
      const bound = [];
      for (
        const address of [
          `unixs:${join(tmp, "ctl.sock")}`,
          `unixd:${join(tmp, "ctld.sock")}`,
          "udp:127.0.0.1:0",
          "tcp:127.0.0.1:0",
        ]
      ) bound.push(await server.listen(address, { dialect: "binrpc" }));
      for (const address of bound) {
        for (const { name, request, reply } of cases) {
          const got = await ask(address as Address, request, reply.length);
          assert.deepEqual(got, reply, `${address.kind}: case "${name}"`);
        }
      }
    } finally {
      await server.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);

const rundir = process.env.MIDGRAM_KAMAILIO_RUNDIR;
test(
  "the wrong-type golden cases still match a real Kamailio (ctld.sock)",
  { skip: rundir ? false : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (.ci/run does)" },
  async () => {
    for (const { name, request, reply } of cases) {
      const got = await overDatagram({ kind: "unix", path: `${rundir}/ctld.sock` }, request);
      assert.deepEqual(got, reply, `case "${name}"`);
    }
  },
);
