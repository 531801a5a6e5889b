import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { corpusOf, preview, runBounds } from "./_fuzz_common.ts";

test("runBounds() reads --generate, --seed and --time (a bare number counts seconds)", () => {
  assert.deepEqual(runBounds({ generate: "30", seed: "7", time: "1.5" }), {
    runs: 30,
    seed: 7,
    timeMs: 1500,
  });
  assert.equal(runBounds({ time: "2m" }).timeMs, 120_000);
  const open = runBounds({});
  assert.equal(open.runs, 1_000_000_000);
  assert.equal(open.timeMs, undefined);
  assert.ok(Number.isInteger(open.seed) && open.seed >= 0);
});

test("midgram fuzz refuses bounds that are no number and runs against servers without one: exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--generate", "2x"], /^midgram: Cannot parse --generate "2x": expected a whole number\n/],
    [["--generate", "2", "--seed", "-1"], /^midgram: Cannot parse --seed "-1": expected a whole/],
    [["--time", "1q"], /--time/],
    [["--target", "udp:127.0.0.1:9"], /^midgram: Live fuzzing needs a bound: --generate N or/],
    [
      ["--target", "udp:127.0.0.1:9", "--dialect", "ctlfifo"],
      /^midgram: Live fuzzing needs a bound/,
    ],
    [
      ["--target", "udp:127.0.0.1:9", "--diff", "udp:127.0.0.1:9"],
      /^midgram: Differential fuzzing needs a bound/,
    ],
    [
      ["--diff", "udp:127.0.0.1:9", "--generate", "3"],
      /^midgram: --diff REF compares with --target/,
    ],
    [
      ["--dialect", "ctlfifo", "--generate", "3"],
      /^midgram: --dialect ctlfifo fuzzes a live server/,
    ],
  ];
  for (const [args, message] of cases) {
    const io = captureIo();
    assert.equal(await cli(["fuzz", ...args, "testdata/parse"], io), 2, args.join(" "));
    assert.match(io.err(), message, args.join(" "));
    assert.equal(io.out(), "");
  }
});

test("preview() shows the start of an input with invisible characters, as UTF-8 or latin1", () => {
  const bytes = Uint8Array.of(0x3a, 0xff, 0x0a, 0x41, 0x42);
  assert.equal(preview(bytes), ":\\uFFFD␊\nAB");
  assert.equal(preview(bytes, "latin1"), ":ÿ␊\nAB");
  assert.equal(preview(bytes, "latin1", 2), ":ÿ");
});

test("corpusOf() reads each dialect's golden cases, and no parse case's expectation", () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fuzz-corpus-"));
  try {
    mkdirSync(join(dir, "kamailio"));
    writeFileSync(join(dir, "a.mi"), ":ps:\n");
    writeFileSync(join(dir, "a.json"), "{}");
    writeFileSync(join(dir, "kamailio", "b.json"), '{"method":"core.echo"}');
    writeFileSync(join(dir, "c.req.hex"), "a1 00 # a comment\n");
    writeFileSync(join(dir, "d.ctlfifo"), ":core.echo:\n\n");
    const corpus = corpusOf([dir]);
    const text = (all: Uint8Array[]) => all.map((b) => new TextDecoder().decode(b));
    assert.deepEqual(text(corpus.mi()), [":ps:\n"]);
    assert.deepEqual(text(corpus.rpc("jsonrpc")), ['{"method":"core.echo"}']);
    assert.deepEqual(corpus.rpc("binrpc"), [Uint8Array.of(0xa1, 0)]);
    assert.deepEqual(text(corpus.ctlfifo()), [":core.echo:\n\n"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
