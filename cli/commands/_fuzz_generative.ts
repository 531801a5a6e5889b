/**
 * `midgram fuzz`'s generative mode (`--generate`, `--time` without a
 * target): requests generated and mutated in-process, every invariant
 * checked, failures shrunk, printed and, with `--save`, kept as golden
 * cases. One mode for every dialect: text MI ({@linkcode generative}), and
 * JSON-RPC or binrpc through the server codec ({@linkcode rpcGenerative}).
 *
 * @module
 */
import type { Failure } from "../../lib/fuzz/generative.ts";
import type { RpcFailure } from "../../lib/fuzz/rpc_generative.ts";
import { showInvisible } from "../../lib/golden/parse_cases.ts";
import { writePacket } from "../../lib/protocol/binrpc/write_packet.ts";
import { writeRecords } from "../../lib/protocol/binrpc/write_records.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import {
  engines,
  type FuzzOptions,
  type FuzzSeams,
  keepParseCase,
  keepRpcCase,
  preview,
  progress,
  rpcKind,
  runBounds,
} from "./_fuzz_common.ts";
import { type Io, stoppedStatus } from "../io.ts";

/** The closing line of a generative run (stderr); `perSecond` adds the rate. */
function summary(
  result: { executed: number; seconds: number; failures: unknown[]; interrupted: boolean },
  perSecond: boolean,
): string {
  const rate = perSecond ? ` (${Math.round(result.executed / result.seconds)}/s)` : "";
  const n = result.failures.length;
  return `fuzz: ${result.executed} runs in ${result.seconds.toFixed(1)} s${rate}, ` +
    `${n} failure${n === 1 ? "" : "s"}${result.interrupted ? " (interrupted)" : ""}\n`;
}

/** Text MI: the parser's and the reply writer's invariants. */
export async function generative(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpus: Uint8Array[],
): Promise<number> {
  const { runs, timeMs, seed } = runBounds(options);
  io.stderr(`fuzz: seed ${seed} (replay with --seed ${seed})\n`);
  const bar = progress(io, runs, timeMs === undefined ? null : performance.now() + timeMs);
  const { runGenerative } = await engines();
  const result = await runGenerative({
    runs,
    seed,
    timeMs,
    corpus,
    analyze: seams.analyze,
    signal: io.interrupted,
    onProgress: (done) => bar.update(done),
  });
  bar.done();
  result.failures.forEach((f, i) => {
    io.stdout(`${describeFailure(f)}\n`);
    if (options.save && f.input) {
      keepParseCase(io, options.save, `fuzz-${f.seed}-${i}`, f.input, f.violation.invariant);
    }
  });
  io.stderr(summary(result, true));
  return result.failures.length > 0 ? 1 : (result.interrupted && stoppedStatus(io)) || 0;
}

function describeFailure(f: Failure): string {
  const input = f.input
    ? showInvisible(new TextDecoder().decode(f.input))
    : JSON.stringify(f.reply);
  return `${f.kind} invariant "${f.violation.invariant}" broken: ${f.violation.message}\n  shrunk input: ${input}\n  replay: --seed ${f.seed}`;
}

/** JSON-RPC (`--flavour`) or binrpc: the server codec's and an in-process server's invariants. */
export async function rpcGenerative(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpus: Uint8Array[],
): Promise<number> {
  const kind = rpcKind(options);
  const { runs, timeMs, seed } = runBounds(options);
  const label = kind.dialect === "jsonrpc" ? `jsonrpc (${kind.flavour})` : "binrpc";
  io.stderr(`fuzz: ${label}, seed ${seed} (replay with --seed ${seed})\n`);
  const bar = progress(io, runs, timeMs === undefined ? null : performance.now() + timeMs);
  const { runRpcGenerative } = await engines();
  const result = await runRpcGenerative({
    dialect: kind.dialect,
    flavour: kind.dialect === "jsonrpc" ? kind.flavour : undefined,
    runs,
    seed,
    timeMs,
    corpus,
    makeCodec: seams.serverCodec,
    signal: io.interrupted,
    onProgress: (done) => bar.update(done),
  });
  bar.done();
  for (const [i, f] of result.failures.entries()) {
    const bytes = failureBytes(f, kind.dialect);
    const shown = f.input ? preview(f.input, "latin1", 300) : JSON.stringify(f.call ?? f.values);
    io.stdout(
      `${f.kind} invariant "${f.violation.invariant}" broken: ${f.violation.message}\n  shrunk input: ${shown}\n  replay: --seed ${f.seed}\n`,
    );
    if (options.save && bytes) {
      await keepRpcCase(
        io,
        options.save,
        `fuzz-${f.seed}-${i}`,
        kind,
        bytes,
        f.violation.invariant,
      );
    }
  }
  io.stderr(summary(result, false));
  return result.failures.length > 0 ? 1 : (result.interrupted && stoppedStatus(io)) || 0;
}

/** The request bytes a structured failure stands for. */
function failureBytes(f: RpcFailure, dialect: "jsonrpc" | "binrpc"): Uint8Array | null {
  if (f.input) return f.input;
  try {
    const codec = clientCodec(dialect);
    if (f.call) return codec.encodeRequest(f.call.method, f.call.params, 1);
    if (f.values) {
      return writePacket({
        type: "request",
        cookie: 1,
        body: writeRecords(["core.echo", ...f.values]),
      });
    }
  } catch {
    // not representable as a request
  }
  return null;
}
