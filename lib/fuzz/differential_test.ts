import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runDifferential } from "./differential.ts";
import { createServer } from "../server/server.ts";
import { defaultTransport } from "../transport/open.ts";
import type { Address } from "../transport/types.ts";
import { runFuzz } from "../../cli/commands/fuzz.ts";
import { captureIo } from "../../cli/io.ts";
import { formatAddress } from "../transport/address.ts";

const RUNTIME = "Deno" in globalThis ? "Deno" : "Node";

/** A midgram binrpc server whose core.echo deviates in one way: it upper-cases "z". */
function startPlanted(transport = defaultTransport()) {
  const server = createServer({
    transport,
    version: "planted",
    builtins: { disable: ["core.echo"] },
  });
  server.register("core.echo", (params) =>
    params.kind === "positional"
      ? params.values.map((v) =>
        // As the real core.echo: integers as unsigned 64-bit numbers.
        typeof v === "number"
          ? BigInt.asUintN(64, BigInt(v)).toString()
          : String(v).replaceAll("z", "Z")
      )
      : []);
  return server;
}

test(`runDifferential() reports a planted deviation over real sockets, shrunk (${RUNTIME})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-diff-"));
  const transport = defaultTransport();
  const reference = createServer({ transport, version: "planted" });
  const planted = startPlanted(transport);
  try {
    const ref = await reference.listen({ kind: "unix", path: join(dir, "ref.sock") }, {
      dialect: "binrpc",
    });
    const ours = await planted.listen({ kind: "unix", path: join(dir, "ours.sock") }, {
      dialect: "binrpc",
    });
    const result = await runDifferential({
      ours: ours as Address,
      reference: ref as Address,
      transport,
      dialect: "binrpc",
      runs: 300,
      timeMs: 30_000,
      timeoutMs: 2000,
      seed: 1,
    });
    assert.ok(result.differences.length > 0, "the deviation is found");
    assert.ok(result.differences.every((d) => d.what === "arguments"));
    assert.deepEqual(result.shrunk?.case, { kind: "call", method: "core.echo", params: ["z"] });
    assert.deepEqual(result.shrunk?.ours.value, ["Z"]);
    assert.deepEqual(result.shrunk?.reference.value, ["z"]);

    // And through the command: every difference, the shrunk one, exit 1.
    const io = captureIo({ transport });
    const code = await runFuzz([], {
      diff: formatAddress(ref),
      target: formatAddress(ours),
      dialect: "binrpc",
      generate: "300",
      seed: "1",
      format: "text",
      timeout: "2s",
      probe: "which",
      indent: "\\t",
    }, io);
    assert.equal(code, 1, io.err());
    assert.match(
      io.out(),
      /^shrunk: arguments differs for core\.echo\("z"\)\n {2}ours: {6}ok \["Z"\]\n {2}reference: ok \["z"\]$/m,
    );
    assert.match(io.err(), /fuzz: 300 cases in .*, \d+ differences/);
  } finally {
    await reference.close();
    await planted.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const RUNDIR = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const kamailioSkip = !RUNDIR
  ? "MIDGRAM_KAMAILIO_RUNDIR is not set (the RUNDIR of a running Kamailio, set by .ci/run)"
  : !existsSync(join(RUNDIR, "ctld.sock"))
  ? `no ${join(RUNDIR, "ctld.sock")}: is Kamailio running?`
  : undefined;

test(
  `runDifferential(): midgram serve --dialect binrpc answers core.echo as the real Kamailio (${RUNTIME})`,
  {
    skip: kamailioSkip,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-diff-kam-"));
    const transport = defaultTransport();
    const server = createServer({ transport, version: "midgram test" });
    try {
      const ours = await server.listen({ kind: "unix", path: join(dir, "ours.sock") }, {
        dialect: "binrpc",
      });
      const result = await runDifferential({
        ours: ours as Address,
        reference: { kind: "unix", path: join(RUNDIR!, "ctld.sock") },
        transport,
        dialect: "binrpc",
        runs: 300,
        timeMs: 20_000,
        timeoutMs: 2000,
        seed: 7,
      });
      assert.ok(result.executed > 0);
      assert.deepEqual(
        result.differences,
        [],
        "no difference from Kamailio on core.echo and an unknown method",
      );
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
