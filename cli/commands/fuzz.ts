/**
 * `midgram fuzz`: golden-file tests against the grammar (default), generated
 * and mutated requests in-process (`--generate`, `--time`), and fuzzing of a
 * live server (`--target`) or of two against each other (`--diff`). This
 * file holds the command, its checks and the choice of mode; each mode has
 * a file of its own (`_fuzz_golden.ts`, `_fuzz_generative.ts`,
 * `_fuzz_live.ts`, `_fuzz_differential.ts`), what they share is in
 * `_fuzz_common.ts`.
 *
 * @module
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { Command, Option } from "commander";
import { exitStatusHelp, MidgramError } from "../../lib/errors.ts";
import { DIALECTS } from "../../lib/protocol/dialects.ts";
import type { Io } from "../io.ts";
import { corpusOf, type FuzzOptions, type FuzzSeams } from "./_fuzz_common.ts";
import { differential } from "./_fuzz_differential.ts";
import { generative, rpcGenerative } from "./_fuzz_generative.ts";
import { golden } from "./_fuzz_golden.ts";
import { ctlFifoLive, live, rpcLive } from "./_fuzz_live.ts";

export type { FuzzOptions, FuzzSeams };

/** Runs `fuzz`; returns the exit status. */
export async function runFuzz(
  dirs: string[],
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams = {},
): Promise<number> {
  const generating = options.generate !== undefined || options.time !== undefined;
  if (options.target === undefined && options.diff === undefined && !generating) {
    if (dirs.length === 0 && !existsSync("testdata")) {
      // The standalone binary carries no golden cases: say what to do instead.
      throw new MidgramError(
        "usage",
        `No golden cases to run: "testdata" is not in ${process.cwd()}: ` +
          "name the case folders (midgram fuzz DIR...), run it in a midgram checkout, " +
          "or use --generate N / --target ADDR",
      );
    }
    return await golden(dirs.length ? dirs : ["testdata"], options, io);
  }
  const inputs = corpusOf(dirs.length ? dirs : existsSync("testdata") ? ["testdata"] : []);
  // Read first: a folder that cannot be read stops every mode.
  const corpus = inputs.mi();
  if (options.dialect === "ctlfifo") {
    if (options.target === undefined) {
      throw new MidgramError(
        "usage",
        "--dialect ctlfifo fuzzes a live server (--target ADDR, and --diff REF to compare): no generative mode",
      );
    }
    const found = inputs.ctlfifo();
    if (options.diff !== undefined) return await differential(options, io, found);
    return await ctlFifoLive(options, io, seams, found);
  }
  if (options.diff !== undefined) {
    if (options.target === undefined) {
      throw new MidgramError(
        "usage",
        "--diff REF compares with --target ADDR: name the target too",
      );
    }
    return await differential(options, io, corpus);
  }
  if (options.target !== undefined) {
    if (options.dialect !== "mi") {
      const status = await rpcLive(options, io, seams, inputs.rpc);
      if (status >= 0) return status; // else detection found the text dialect
    }
    return await live(options, io, seams, corpus);
  }
  if (options.dialect === "jsonrpc" || options.dialect === "binrpc") {
    return await rpcGenerative(options, io, seams, inputs.rpc(options.dialect));
  }
  return await generative(options, io, seams, corpus);
}

/**
 * Builds the `fuzz` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { fuzzCommand } from "./fuzz.ts";
 * import { captureIo } from "../io.ts";
 * const program = new Command("midgram").addCommand(fuzzCommand(captureIo(), { code: 0 }));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["fuzz"]);
 * ```
 */
export function fuzzCommand(io: Io, status: { code: number }, seams: FuzzSeams = {}): Command {
  return new Command("fuzz")
    .summary("golden-file tests, generative fuzzing, and fuzzing of a live server")
    .description(
      "Golden mode (default): every NAME.mi under DIR is checked against NAME.json (parse cases)\n" +
        "or NAME.reply (exact reply bytes of an in-process server). Generative mode (--generate,\n" +
        "--time): generated and mutated requests, every invariant checked, failures shrunk. Live\n" +
        "mode (--target): requests sent to a running server, replies and liveness checked.",
    )
    .argument("[dir...]", "golden case folders, also the corpus to mutate [default: testdata]")
    .option("--update", "golden: rewrite the expectations from the current results, for review")
    .option("--filter <pattern>", "golden: only cases whose path contains PATTERN")
    .addOption(
      new Option("--format <format>", "golden output").choices(["text", "tap", "json"]).default(
        "text",
      ),
    )
    .option("--generate <n>", "generate N inputs")
    .option("--seed <s>", "seed of the generator (printed on every run)")
    .option("--time <duration>", "stop after this long (a bare number means seconds)")
    .option("--save <dir>", "save each shrunk failure or offending input there as a golden case")
    .option("--target <addr>", "live: fuzz the server at ADDR")
    .option("--diff <addr>", "differential: send the same requests to ADDR and to --target")
    .addOption(
      new Option(
        "--dialect <dialect>",
        "the dialect fuzzed, or both speak (--diff) [default: mi; detected for --target]",
      ).choices(DIALECTS as string[]),
    )
    .addOption(
      new Option("--flavour <flavour>", "JSON-RPC: whose server [default: opensips or detected]")
        .choices(["opensips", "kamailio"]),
    )
    .option("--unsafe", "live, Kamailio JSON-RPC: also send what crashes Kamailio 5.6")
    .option(
      "--reply-dir <dir>",
      "live, FIFO target: the server's reply directory [default: its configured one, else /tmp]",
    )
    .option(
      "--methods <list>",
      "differential, binrpc and ctlfifo: methods to call [default: core.echo; ctlfifo: core.version, core.echo, core.uptime, system.methodHelp]",
    )
    .option("--rate <r>", "live: at most R requests per second")
    .option("--timeout <duration>", "live: a request unanswered this long is a hang", "2s")
    .option("--probe <command>", "live: liveness probe, a command name or a request", "which")
    .option("--indent <string>", "live: the server's reply indent (\\t for TAB)", "\\t")
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}
Here 1 means a mismatch, failure, hang, malformed reply, difference or crash.

Examples:
  $ midgram fuzz testdata/                          # golden cases
  $ midgram fuzz --generate 100000 --seed 7 --save found/
  $ midgram fuzz --target /run/opensips/mi.sock --time 60 --rate 500
  $ midgram fuzz --dialect jsonrpc --flavour kamailio --generate 20000 --save found/
  $ midgram fuzz --target /run/kamailio/kamailio_ctl --generate 200 --time 10   # binrpc, detected
  $ midgram fuzz --diff /run/kamailio/kamailio_ctl --target /tmp/midgram.sock --dialect binrpc --generate 500
  $ midgram fuzz --diff udp:127.0.0.1:2050 --target udp:127.0.0.1:3050 --dialect ctlfifo --generate 300`,
    )
    .action(async (dirs: string[], options: FuzzOptions, command: Command) => {
      const color = command.optsWithGlobals().color ?? "auto";
      status.code = await runFuzz(dirs, { ...options, color }, io, seams);
    });
}
