/**
 * What the modes of `midgram fuzz` share: its options, the bounds of a run,
 * the progress reporter, the corpus, keeping what a run found as golden
 * cases, and the exit status of an interrupted run.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { parseDuration } from "../../lib/duration.ts";
import { MidgramError } from "../../lib/errors.ts";
import { isJsonRpcCase, saveParseCase, saveRpcCase } from "../../lib/fuzz/golden_runner.ts";
import type { RpcGoldenKind } from "../../lib/fuzz/golden_rpc.ts";
import type { Analyzer } from "../../lib/fuzz/invariants.ts";
import type { ServerCodecFactory } from "../../lib/fuzz/rpc_invariants.ts";
import { showInvisible } from "../../lib/golden/parse_cases.ts";
import { parseHex } from "../../lib/protocol/binrpc/testing/hex.ts";
import type { Transport } from "../../lib/transport/types.ts";
import { expandPaths } from "../_files.ts";
import { control } from "../_output.ts";
import type { Io } from "../io.ts";

/** Options of `midgram fuzz`, as commander hands them over. */
export interface FuzzOptions {
  /** Live against a FIFO: the server's reply directory. */
  replyDir?: string;
  update?: boolean;
  filter?: string;
  format: "text" | "tap" | "json";
  generate?: string;
  seed?: string;
  time?: string;
  save?: string;
  target?: string;
  /** Differential: the reference server the target is compared with. */
  diff?: string;
  /** The dialect fuzzed (generative, live) or both servers speak (differential); default mi, or detected for --target. */
  dialect?: "mi" | "jsonrpc" | "binrpc" | "ctlfifo";
  /** JSON-RPC: the flavour (default opensips; detected for --target). */
  flavour?: "opensips" | "kamailio";
  /** Live against a real Kamailio: never send what crashes Kamailio 5.6 (default on for the kamailio flavour). */
  unsafe?: boolean;
  /** Differential, structured dialects: the methods to call (comma-separated). */
  methods?: string;
  rate?: string;
  timeout: string;
  probe: string;
  indent: string;
  color?: "auto" | "always" | "never";
}

/** Seams for tests: a planted-bug analyzer or server codec, an in-memory transport. */
export interface FuzzSeams {
  analyze?: Analyzer;
  serverCodec?: ServerCodecFactory;
  transport?: Transport;
}

/** The engines (and fast-check) are loaded only when a fuzzing run starts. */
export const engines = () => import("../../lib/fuzz/engines.ts");

/** A whole number given as option `what`. */
function whole(text: string, what: string): number {
  if (!/^\d+$/.test(text)) {
    throw new MidgramError("usage", `Cannot parse ${what} "${text}": expected a whole number`);
  }
  return Number(text);
}

/**
 * The bounds of a run: `--generate N` (else practically unbounded), `--time`
 * (a bare number counts seconds; undefined when not given) and the seed.
 */
export function runBounds(
  options: { generate?: string; time?: string; seed?: string },
): { runs: number; timeMs: number | undefined; seed: number } {
  return {
    runs: options.generate !== undefined ? whole(options.generate, "--generate") : 1_000_000_000,
    timeMs: options.time !== undefined
      ? parseDuration(options.time.replace(/^(\d+(\.\d+)?)$/, "$1s"), "--time")
      : undefined,
    seed: options.seed !== undefined ? whole(options.seed, "--seed") : Date.now() % 2 ** 31,
  };
}

/** --rate: at most this many requests a second; 0 without a limit. */
export function rateOf(options: FuzzOptions): number {
  return options.rate !== undefined ? whole(options.rate, "--rate") : 0;
}

/** --indent: the server's reply indent, `\\t` read as a TAB. */
export function indentOf(options: FuzzOptions): string {
  return options.indent.replace(/\\t/g, "\t");
}

/**
 * The first `max` bytes of an input as printed, invisible characters shown;
 * read as `latin1` where any byte may come (the structured dialects).
 */
export function preview(
  bytes: Uint8Array,
  encoding: "utf-8" | "latin1" = "utf-8",
  max = 200,
): string {
  return showInvisible(new TextDecoder(encoding).decode(bytes.subarray(0, max)));
}

/** A run with no --time is bounded by --generate alone: a day stands for "no limit". */
export const NO_TIME_LIMIT = 24 * 3_600_000;

/** Refuses a run against servers that neither --generate nor --time bounds (`what`: "Live"). */
export function requireBound(options: FuzzOptions, what: "Live" | "Differential"): void {
  if (options.generate === undefined && options.time === undefined) {
    throw new MidgramError(
      "usage",
      `${what} fuzzing needs a bound: --generate N or --time DURATION`,
    );
  }
}

/** A progress reporter: a bar on a terminal, a line every 5 s otherwise. */
export function progress(
  io: Io,
  total: number,
  deadline: number | null,
): { update(done: number, extra?: string): void; done(): void } {
  const started = performance.now();
  let lastLine = 0;
  return {
    update(done: number, extra = "") {
      const elapsed = (performance.now() - started) / 1000;
      const rate = done / Math.max(elapsed, 0.001);
      const byCount = (total - done) / Math.max(rate, 1e-9);
      const byTime = deadline === null ? Infinity : (deadline - performance.now()) / 1000;
      const eta = Math.max(0, Math.min(byCount, byTime));
      const share = Math.min(
        1,
        Math.max(done / total, deadline === null ? 0 : elapsed / (elapsed + eta)),
      );
      if (io.stderrIsTTY) {
        const width = 24;
        const filled = Math.round(share * width);
        io.stderr([
          control("\r"),
          `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done} runs, ${
            Math.round(rate)
          }/s, ETA ${eta.toFixed(0)}s${extra}   `,
        ]);
      } else if (performance.now() - lastLine > 5000) {
        lastLine = performance.now();
        io.stderr(`fuzz: ${done} runs, ${Math.round(rate)}/s, ETA ${eta.toFixed(0)}s${extra}\n`);
      }
    },
    done() {
      if (io.stderrIsTTY) io.stderr([control("\r\x1b[K")]);
    },
  };
}

/** The dialect of the structured golden cases that --dialect and --flavour name. */
export function rpcKind(options: FuzzOptions): RpcGoldenKind {
  return options.dialect === "binrpc"
    ? { dialect: "binrpc" }
    : { dialect: "jsonrpc", flavour: options.flavour ?? "opensips" };
}

/** The inputs a run mutates: the golden cases of each dialect (and ctlfifo's) below `dirs`. */
export interface Corpus {
  mi(): Uint8Array[];
  rpc(dialect: "jsonrpc" | "binrpc"): Uint8Array[];
  ctlfifo(): Uint8Array[];
}

/** The corpus below `dirs`: read when a mode asks for its dialect's part. */
export function corpusOf(dirs: readonly string[]): Corpus {
  const files = (extension: string) =>
    expandPaths(dirs, [extension]).map((f) => new Uint8Array(readFileSync(f.path)));
  return {
    mi: () => files(".mi"),
    rpc: (dialect) =>
      dialect === "binrpc"
        ? expandPaths(dirs, [".req.hex"]).map((f) => parseHex(readFileSync(f.path, "utf8")))
        : expandPaths(dirs, [".json"]).filter((f) => isJsonRpcCase(f.path)).map((f) =>
          new Uint8Array(readFileSync(f.path))
        ),
    ctlfifo: () => files(".ctlfifo"),
  };
}

/** Keeps what a run found as a parse case, and says where (stderr). */
export function keepParseCase(
  io: Io,
  dir: string,
  name: string,
  bytes: Uint8Array,
  note: string,
): void {
  const path = saveParseCase(dir, name, bytes);
  io.stderr(`saved ${path} (${note}); review its .json expectation before committing\n`);
}

/** Keeps what a run found as a JSON-RPC or binrpc case, and says where (stderr). */
export async function keepRpcCase(
  io: Io,
  dir: string,
  name: string,
  kind: RpcGoldenKind,
  bytes: Uint8Array,
  note: string,
): Promise<void> {
  const path = await saveRpcCase(dir, name, kind, bytes);
  io.stderr(`saved ${path} (${note}); review its expectation before committing\n`);
}
