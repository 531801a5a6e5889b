/**
 * `midgram fuzz`'s differential mode (`--diff REF --target ADDR`): the same
 * requests to two servers of one dialect (text MI, binrpc or ctlfifo), every
 * difference in verdict, arguments or bytes printed, the first one shrunk.
 *
 * @module
 */
import { parseDuration } from "../../lib/duration.ts";
import { MidgramError } from "../../lib/errors.ts";
import type { Difference } from "../../lib/fuzz/differential.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import {
  engines,
  type FuzzOptions,
  indentOf,
  NO_TIME_LIMIT,
  preview,
  requireBound,
  runBounds,
} from "./_fuzz_common.ts";
import { type Io, stoppedStatus } from "../io.ts";

function describeDifference(d: Difference): string {
  const c = d.case;
  const request = c.kind === "raw"
    ? preview(c.bytes)
    : c.kind === "cache"
    ? `cache_store/cache_fetch of the line ${JSON.stringify(c.line)}`
    : `${c.method}(${c.params.map((p) => JSON.stringify(p)).join(", ")})`;
  const show = (v: Difference["ours"]) => {
    const bytes = v.bytes ? preview(v.bytes) : "";
    const value = d.what === "arguments" ? ` ${JSON.stringify(v.value)}` : "";
    return `${v.verdict}${value}${d.what === "bytes" ? ` ${bytes}` : ""}`;
  };
  return `${d.what} differs for ${request}\n  ours:      ${show(d.ours)}\n  reference: ${
    show(d.reference)
  }`;
}

/** Compares --target with the reference --diff; 1 when they differ. */
export async function differential(
  options: FuzzOptions,
  io: Io,
  corpus: Uint8Array[],
): Promise<number> {
  requireBound(options, "Differential");
  const bounds = runBounds(options);
  const { runs, seed } = bounds;
  const timeMs = bounds.timeMs ?? NO_TIME_LIMIT;
  const dialect = options.dialect ?? "mi";
  if (dialect === "jsonrpc") {
    throw new MidgramError("usage", "--diff compares mi or binrpc servers, not jsonrpc");
  }
  io.stderr(
    `fuzz: ${dialect} differences of ${options.target} from ${options.diff}, seed ${seed} (replay with --seed ${seed})\n`,
  );
  const { runDifferential, UNKNOWN_METHOD } = await engines();
  const result = await runDifferential({
    ours: parseAddress(options.target!),
    reference: parseAddress(options.diff!),
    transport: io.transport,
    dialect,
    runs,
    timeMs,
    timeoutMs: parseDuration(options.timeout, "--timeout"),
    seed,
    methods: options.methods
      ? [...options.methods.split(",").map((m) => m.trim()).filter(Boolean), UNKNOWN_METHOD]
      : undefined,
    corpus,
    indent: indentOf(options),
    signal: io.interrupted,
  });
  for (const d of result.differences) io.stdout(`${describeDifference(d)}\n`);
  if (result.shrunk) io.stdout(`shrunk: ${describeDifference(result.shrunk)}\n`);
  const kept = result.differences.length;
  io.stderr(
    `fuzz: ${result.executed} cases in ${result.seconds.toFixed(1)} s, ${kept}${
      kept === 100 ? "+" : ""
    } difference${kept === 1 ? "" : "s"}${
      result.notSent ? `, ${result.notSent} not sent (too large for the transport)` : ""
    }${result.interrupted ? " (interrupted)" : ""}\n`,
  );
  if (kept > 0) return 1;
  return (result.interrupted && stoppedStatus(io)) || 0;
}
