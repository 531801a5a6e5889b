import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFuzz } from "../../cli/commands/fuzz.ts";
import { cli } from "../../cli/main.ts";
import { captureIo } from "../../cli/io.ts";
import { runRpcGenerative } from "./rpc_generative.ts";
import { brokenServerCodec } from "./testing/planted.ts";
import { until } from "../transport/testing/wait.ts";

const RUNTIME = "Deno" in globalThis ? "Deno" : "Node";
const OPTIONS = { format: "text", timeout: "2s", probe: "which", indent: "\\t" } as const;

test(`midgram fuzz --target fuzzes midgram serve in each dialect, finding nothing (${RUNTIME})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fuzz-serve-"));
  const io = captureIo();
  const running = cli([
    "serve",
    "-s",
    `jsonrpc/opensips=${join(dir, "opensips.sock")}`,
    "-s",
    "jsonrpc/kamailio=udp:127.0.0.1:0",
    "-s",
    `binrpc=unixs:${join(dir, "ctl.sock")}`,
    "--disable",
    "kill",
    "--log-level",
    "error",
  ], io);
  try {
    await until(() => io.out().split("\n").length >= 4, "three ready lines");
    const udp = /listening on (udp:\S+)/.exec(io.out())![1];
    for (
      const args of [
        ["--target", join(dir, "opensips.sock")], // detected: JSON-RPC, OpenSIPS
        ["--target", udp, "--dialect", "jsonrpc", "--flavour", "kamailio"],
        ["--target", `unixs:${join(dir, "ctl.sock")}`], // detected: binrpc on a stream
      ]
    ) {
      const fuzz = captureIo();
      const code = await cli(
        ["fuzz", ...args, "--generate", "150", "--time", "10", "--seed", "3"],
        fuzz,
      );
      assert.equal(code, 0, `${args.join(" ")}: ${fuzz.out()}${fuzz.err()}`);
      assert.match(
        fuzz.err(),
        /requests in [\d.]+ s, \d+ answered, 0 hangs, 0 malformed, no crash/,
      );
    }
  } finally {
    io.abort();
    assert.equal(await running, 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runRpcGenerative() finds and shrinks the planted binrpc codec bug to three parameters", async () => {
  const result = await runRpcGenerative({
    dialect: "binrpc",
    runs: 3000,
    seed: 9,
    timeMs: 20_000,
    makeCodec: brokenServerCodec,
  });
  const failure = result.failures.find((f) => f.kind === "round-trip");
  assert.ok(failure, "the dropped parameter is found");
  assert.equal(failure.violation.invariant, "request-round-trip");
  const params = failure.call!.params;
  assert.equal(params.kind === "positional" ? params.values.length : -1, 3, "shrunk to 3");
});

test("midgram fuzz --dialect jsonrpc finds the planted id bug, shrinks it and --save keeps a golden case", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fuzz-rpc-"));
  try {
    const io = captureIo();
    const code = await runFuzz(
      [],
      { ...OPTIONS, dialect: "jsonrpc", generate: "3000", seed: "4", time: "20", save: dir },
      io,
      { serverCodec: brokenServerCodec },
    );
    assert.equal(code, 1);
    assert.match(
      io.out(),
      /request invariant "throws" broken: the server codec's decode threw RangeError/,
    );
    const saved = readdirSync(join(dir, "opensips")).filter((f) => f.endsWith(".json"));
    assert.ok(saved.length >= 1);
    const base = join(dir, "opensips", saved[0].slice(0, -5));
    assert.ok(existsSync(`${base}.reply`) || existsSync(`${base}.noreply`));
    // The saved case is a golden case that the real server passes.
    const golden = captureIo();
    assert.equal(await runFuzz([dir], OPTIONS, golden), 0, golden.out());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const rundir = globalThis.process?.env?.MIDGRAM_KAMAILIO_RUNDIR ?? "";
for (
  const [name, target] of [
    ["binrpc over ctl.sock (UNIX stream)", `unixs:${rundir}/ctl.sock`],
    ["binrpc over ctld.sock (UNIX datagram)", `unixd:${rundir}/ctld.sock`],
    ["JSON-RPC over jsonrpc.sock", `${rundir}/jsonrpc.sock`],
  ]
) {
  test(
    `midgram fuzz --target finds no crash in the real Kamailio: ${name} (${RUNTIME})`,
    {
      skip: rundir ? false : "MIDGRAM_KAMAILIO_RUNDIR is not set (run a Kamailio: .ci/run sets it)",
    },
    async () => {
      const io = captureIo();
      const code = await cli(
        ["fuzz", "--target", target, "--generate", "200", "--time", "10", "--seed", "11"],
        io,
      );
      assert.equal(code, 0, io.out() + io.err());
      assert.match(io.err(), /no crash/);
    },
  );
}
