import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { chooseSockets, DEFAULT_SOCKET, namedSockets } from "./_sockets.ts";
import { defaultTransport } from "../lib/transport/open.ts";
import { cli } from "./main.ts";
import { captureIo } from "./io.ts";
import { socketOf } from "./_completions.ts";

test("namedSockets() takes the flag, then MIDGRAM_SOCKET (an empty one is unset), then the config", () => {
  assert.deepEqual(namedSockets(["/f"], { MIDGRAM_SOCKET: "/e" }, "/c"), {
    texts: ["/f"],
    source: "flag",
  });
  assert.deepEqual(namedSockets([], { MIDGRAM_SOCKET: "/e" }, "/c").texts, ["/e"]);
  assert.deepEqual(namedSockets(undefined, { MIDGRAM_SOCKET: "" }, "/c"), {
    texts: ["/c"],
    source: "config",
  });
  assert.deepEqual(namedSockets(undefined, { MIDGRAM_SOCKET: "" }, undefined), {
    texts: [DEFAULT_SOCKET],
    source: "default",
  });
});

test("chooseSockets() takes the first server default that answers when midgram's own is absent", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-choose-"));
  const transport = defaultTransport();
  const listener = await transport.listenStream({ kind: "unix-stream", path: join(dir, "ctl") });
  try {
    const said: string[] = [];
    const candidates = [
      { spec: `binrpc=unixs:${join(dir, "absent")}`, what: "absent" },
      { spec: `jsonrpc/kamailio=fifo:${join(dir, "ctl")}`, what: "not a FIFO" },
      { spec: `binrpc=unixs:${join(dir, "ctl")}`, what: "the stream socket" },
    ];
    const chosen = await chooseSockets({
      flag: undefined,
      env: { MIDGRAM_SOCKET: "" },
      configured: undefined,
      transport,
      timeoutMs: 2000,
      say: (m) => said.push(m),
      candidates,
      fallback: join(dir, "midgram.sock"),
    });
    assert.deepEqual(chosen.texts, [`binrpc=unixs:${join(dir, "ctl")}`]);
    assert.equal(chosen.found?.what, "the stream socket");
    assert.match(
      said.join("\n"),
      /midgram\.sock is absent: using binrpc=unixs:.*ctl \(the stream socket\)/,
    );
    const none = await chooseSockets({
      flag: undefined,
      env: {},
      configured: undefined,
      transport,
      timeoutMs: 2000,
      candidates: candidates.slice(0, 2),
      fallback: join(dir, "midgram.sock"),
    });
    assert.equal(none.found, undefined);
    assert.equal(none.tried?.length, 3);
    // A named socket is never replaced.
    const named = await chooseSockets({
      flag: ["/x"],
      env: {},
      configured: undefined,
      transport,
      timeoutMs: 2000,
      candidates,
    });
    assert.deepEqual(named.texts, ["/x"]);
  } finally {
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const RUNDIR = process.env.MIDGRAM_KAMAILIO_RUNDIR;

test(
  "chooseSockets() finds the real Kamailio's ctl, jsonrpcs datagram socket and FIFO, and send uses it",
  {
    skip: RUNDIR
      ? false
      : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (npm run test:interop does)",
  },
  async () => {
    const transport = defaultTransport();
    for (
      const spec of [
        `binrpc=unixs:${RUNDIR}/ctl.sock`,
        `jsonrpc/kamailio=${RUNDIR}/jsonrpc.sock`,
        `jsonrpc/kamailio=fifo:${RUNDIR}/jsonrpc.fifo`,
      ]
    ) {
      const chosen = await chooseSockets({
        flag: undefined,
        env: {},
        configured: undefined,
        transport,
        timeoutMs: 2000,
        candidates: [{ spec: `${RUNDIR}/absent.sock`, what: "absent" }, { spec, what: "it" }],
        fallback: `${RUNDIR}/midgram.sock`,
      });
      assert.deepEqual(chosen.texts, [spec]);
    }
  },
);

test("send, doctor and completion agree on the socket when MIDGRAM_SOCKET is empty: the config's", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-socket-agree-"));
  try {
    const config = join(dir, "midgram.toml");
    writeFileSync(config, `[client]\nsocket = "${join(dir, "cfg.sock")}"\n`);
    const env = { MIDGRAM_SOCKET: "", MIDGRAM_CONFIG: config, NO_COLOR: "1" };
    const send = captureIo({ env });
    assert.equal(await cli(["send", "-t", "500ms", "version"], send), 4);
    assert.match(send.err(), /cfg\.sock/);
    const doctor = captureIo({ env });
    assert.equal(await cli(["doctor", "-t", "500ms"], doctor), 1);
    assert.match(doctor.out(), /cfg\.sock does not exist/);
    assert.equal(socketOf(["complete", "--", "send", ""], env).text, join(dir, "cfg.sock"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
