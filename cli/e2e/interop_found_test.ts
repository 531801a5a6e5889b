/**
 * The real Kamailio found without flags: its jsonrpcs FIFO's flavour (no
 * `jsonrpc/kamailio=` needed), `doctor` on the FIFO and on HTTP, and shell
 * completion of its method names at a bare ctl path. `npm run
 * test:interop` (or `.ci/run`) starts the peer and sets
 * `MIDGRAM_KAMAILIO_RUNDIR`; without it these tests skip and say why.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";

const env = (globalThis as { process: { env: Record<string, string | undefined> } }).process.env;
const RUNDIR = env.MIDGRAM_KAMAILIO_RUNDIR;
const HTTP = env.MIDGRAM_KAMAILIO_HTTP;
const noPeer = RUNDIR
  ? false
  : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (npm run test:interop does)";

async function run(args: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  const status = await cli(args, io);
  return { status, out: io.out(), err: io.err() };
}

test(
  "send finds that a FIFO is Kamailio's jsonrpcs and writes its framing",
  { skip: noPeer },
  async () => {
    const fifo = `fifo:${RUNDIR}/jsonrpc.fifo`;
    // Its reply directory too: the one its config file sets (RUNDIR, not /tmp).
    for (const args of [["-s", fifo], ["--reply-dir", `${RUNDIR}`, "-s", `jsonrpc=${fifo}`]]) {
      const r = await run(["send", "-t", "5s", ...args, "core.uptime"]);
      assert.equal(r.status, 0, r.err);
      assert.match(r.out, /"uptime"/);
    }
  },
);

test(
  "doctor passes a healthy Kamailio over its FIFO, with or without a flavour",
  { skip: noPeer },
  async () => {
    const fifo = `fifo:${RUNDIR}/jsonrpc.fifo`;
    for (
      const args of [["-s", fifo], ["-s", `jsonrpc/kamailio=${fifo}`], [
        "--flavour",
        "kamailio",
        "-s",
        fifo,
      ]]
    ) {
      const r = await run(["doctor", ...args]);
      assert.equal(r.status, 0, r.out + r.err);
      assert.match(r.out, /answers in [\d.]+ ms: kamailio 5/);
    }
  },
);

test(
  "doctor takes Kamailio's 'Method Not Found' over HTTP for a healthy Kamailio and asks core.version",
  { skip: noPeer || (HTTP ? false : "no Kamailio over HTTP: set MIDGRAM_KAMAILIO_HTTP") },
  async () => {
    const r = await run(["doctor", "-s", HTTP!]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /answers as Kamailio's jsonrpcs/);
    assert.match(r.out, /answers in [\d.]+ ms: kamailio 5/);
  },
);

test(
  "shell completion offers Kamailio's method names at a bare ctl path",
  { skip: noPeer },
  async () => {
    for (const socket of [`${RUNDIR}/ctl.sock`, `${RUNDIR}/jsonrpc.sock`]) {
      const r = await run(["complete", "--", "send", "-s", socket, "core.up"]);
      assert.match(r.out, /^core\.uptime\b/m, `${socket}: ${r.out}`);
    }
  },
);

test(
  "fuzz --target finds that a FIFO is Kamailio's and fuzzes it in its framing",
  { skip: noPeer },
  async () => {
    const r = await run([
      "fuzz",
      "--target",
      `fifo:${RUNDIR}/jsonrpc.fifo`,
      "--generate",
      "3",
      "--seed",
      "7",
    ]);
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /kamailio \(pid \d+\) reads it/);
    assert.match(r.err, /no crash/);
  },
);

test(
  "a Kamailio FIFO that gives no reply (a wrong --reply-dir) blames the reply directory, not the framing",
  { skip: noPeer },
  async () => {
    const r = await run([
      "send",
      "-t",
      "500ms",
      "--reply-dir",
      "/tmp",
      "-s",
      `fifo:${RUNDIR}/jsonrpc.fifo`,
      "core.uptime",
    ]);
    assert.equal(r.status, 3, r.err);
    assert.match(r.err, /is the server's reply directory \/tmp\?/);
    assert.match(r.err, /written in Kamailio's framing: as kamailio \(pid \d+\) reads it/);
    assert.doesNotMatch(r.err, /--flavour opensips/);
  },
);
