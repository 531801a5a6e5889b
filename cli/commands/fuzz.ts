/**
 * `midgram fuzz`: golden-file tests against the grammar (default), generated
 * and mutated requests in-process (`--generate`, `--time`), and fuzzing of a
 * live server (`--target`).
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { Command, Option } from "commander";
import { parseDuration } from "../../lib/duration.ts";
import { EXIT, exitStatusHelp, MidgramError } from "../../lib/errors.ts";
import type { Failure } from "../../lib/fuzz/generative.ts";
import { compareServerCase, goldenServer } from "../../lib/fuzz/golden.ts";
import {
  compareRpcCase,
  formatHex,
  goldenRpcServer,
  type RpcGoldenKind,
} from "../../lib/fuzz/golden_rpc.ts";
import { parseHex } from "../../lib/protocol/binrpc/testing/hex.ts";
import type { RpcFailure } from "../../lib/fuzz/rpc_generative.ts";
import type { ServerCodecFactory } from "../../lib/fuzz/rpc_invariants.ts";
import { detectDialect, fifoFlavour } from "../../lib/client/detect.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import { writeRecords } from "../../lib/protocol/binrpc/write_records.ts";
import { writePacket } from "../../lib/protocol/binrpc/write_packet.ts";
import type { Analyzer } from "../../lib/fuzz/invariants.ts";
import type { LiveResult } from "../../lib/fuzz/live.ts";
import type { Difference } from "../../lib/fuzz/differential.ts";

/** The engines (and fast-check) are loaded only when a fuzzing run starts. */
const engines = () => import("../../lib/fuzz/engines.ts");
import {
  compareParseCase,
  expectedParseResult,
  resultJson,
  showInvisible,
} from "../../lib/golden/parse_cases.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import type { Transport } from "../../lib/transport/types.ts";
import { palette } from "../_color.ts";
import { control } from "../_output.ts";
import { expandPaths } from "../_files.ts";
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
function runBounds(
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

/** A run with no --time is bounded by --generate alone: a day stands for "no limit". */
const NO_TIME_LIMIT = 24 * 3_600_000;

/** A progress reporter: a bar on a terminal, a line every 5 s otherwise. */
function progress(io: Io, total: number, deadline: number | null) {
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

/** What a live run found, in either dialect family: LiveResult and LiveRpcResult share it. */
interface LiveFindings {
  hangs: Uint8Array[];
  malformed: { input: Uint8Array; why: string }[];
  /** Stream targets only: connections closed without a reply (a note, not a failure). */
  closed?: Uint8Array[];
  crash: { inputs: Uint8Array[]; why: string; kind: string } | null;
}

/** Prints a live run's findings on stdout, one line each, inputs shown by `show`. */
function printFindings(
  io: Io,
  r: LiveFindings,
  timeout: string,
  show: (b: Uint8Array) => string,
): void {
  for (const h of r.hangs) io.stdout(`hang: no reply within ${timeout} to ${show(h)}\n`);
  for (const m of r.malformed) io.stdout(`malformed reply (${m.why}) to ${show(m.input)}\n`);
  for (const c of r.closed ?? []) {
    io.stdout(`note: connection closed without a reply to ${show(c)}\n`);
  }
  if (r.crash) {
    io.stdout(
      `crash (${r.crash.kind}): ${r.crash.why}; after ${r.crash.inputs.length} input(s); last: ${
        show(r.crash.inputs.at(-1) ?? new Uint8Array())
      }\n`,
    );
  }
}

/** The inputs of a live run worth saving: [bytes, case name, note]. */
function foundCases(r: LiveFindings, seed: number): [Uint8Array, string, string][] {
  return [
    ...r.hangs.map((b, i): [Uint8Array, string, string] => [b, `live-${seed}-hang-${i}`, "hang"]),
    ...r.malformed.map((m, i): [Uint8Array, string, string] => [
      m.input,
      `live-${seed}-malformed-${i}`,
      "malformed reply",
    ]),
    ...(r.crash?.inputs ?? []).map((b, i): [Uint8Array, string, string] => [
      b,
      `live-${seed}-crash-${i}`,
      "sent before the crash",
    ]),
  ];
}

function saveBytes(dir: string, name: string, bytes: Uint8Array, note: string, io: Io): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.mi`);
  writeFileSync(path, bytes);
  writeFileSync(join(dir, `${name}.json`), resultJson(expectedParseResult(bytes)));
  io.stderr(`saved ${path} (${note}); review its .json expectation before committing\n`);
  return path;
}

/** The flavour of a JSON-RPC case: the folder it is in (`opensips/`, `kamailio/`), else opensips. */
function flavourOf(path: string): "opensips" | "kamailio" {
  return /(^|\/)kamailio\/[^/]*$/.test(path) ? "kamailio" : "opensips";
}

/** A `.json` that is a JSON-RPC case: not the expectation of a `.mi` case beside it. */
function isJsonRpcCase(path: string): boolean {
  const base = path.slice(0, -5);
  return !existsSync(`${base}.mi`) &&
    (existsSync(`${base}.reply`) || existsSync(`${base}.noreply`) ||
      /(^|\/)(opensips|kamailio)\/[^/]*$/.test(path));
}

async function golden(dirs: string[], options: FuzzOptions, io: Io): Promise<number> {
  const files = expandPaths(dirs, [".mi", ".json", ".req.hex"]).filter((f) =>
    !options.filter || f.path.includes(options.filter)
  ).filter((f) => !f.path.endsWith(".json") || isJsonRpcCase(f.path));
  const color = palette(options.color ?? "auto", io, "stdout");
  const results: { path: string; ok: boolean; kind: string; diff: string }[] = [];
  const rpcServer = goldenRpcServer();
  try {
    for (const { path } of files) {
      if (path.endsWith(".json") || path.endsWith(".req.hex")) {
        results.push(await rpcCase(rpcServer, path, options));
        continue;
      }
      const base = path.slice(0, -3);
      const bytes = readFileSync(path);
      if (
        existsSync(`${base}.reply`) || (!existsSync(`${base}.json`) && /(^|\/)server\//.test(path))
      ) {
        const expectedPath = `${base}.reply`;
        const expected = existsSync(expectedPath) ? readFileSync(expectedPath) : new Uint8Array();
        const { ok, actual, diff } = await compareServerCase(goldenServer(), bytes, expected);
        if (!ok && options.update) writeFileSync(expectedPath, actual);
        results.push({
          path,
          ok: ok || !!options.update,
          kind: "server",
          diff: existsSync(expectedPath) || options.update ? diff : `missing ${expectedPath}`,
        });
      } else {
        const expectedPath = `${base}.json`;
        const expected = existsSync(expectedPath) ? readFileSync(expectedPath, "utf8") : "";
        const { ok, actualJsonText, diff } = compareParseCase(bytes, expected);
        if (!ok && options.update) writeFileSync(expectedPath, actualJsonText);
        results.push({
          path,
          ok: ok || !!options.update,
          kind: "parse",
          diff: expected ? diff : `missing ${expectedPath}`,
        });
      }
    }
  } finally {
    await rpcServer.close();
  }
  const failed = results.filter((r) => !r.ok);
  if (options.format === "json") {
    io.stdout(
      JSON.stringify({ cases: results.length, failed: failed.length, results }, null, 2) + "\n",
    );
  } else if (options.format === "tap") {
    io.stdout(`TAP version 13\n1..${results.length}\n`);
    results.forEach((r, i) => {
      io.stdout(`${r.ok ? "ok" : "not ok"} ${i + 1} - ${r.kind} ${r.path}\n`);
      if (!r.ok) io.stdout(r.diff.split("\n").map((l) => `# ${l}`).join("\n") + "\n");
    });
  } else {
    for (const r of failed) io.stdout([color.red("FAIL"), ` ${r.kind} ${r.path}\n${r.diff}\n`]);
  }
  const updated = options.update ? " (expectations updated: review with git diff)" : "";
  io.stderr(
    `golden: ${results.length} cases, ${
      results.length - failed.length
    } passed, ${failed.length} failed${updated}\n`,
  );
  if (results.length === 0) {
    io.stderr(
      `midgram: no golden cases (*.mi, *.json, *.req.hex) found in ${dirs.join(", ")}\n`,
    );
    return 1;
  }
  return failed.length > 0 ? 1 : 0;
}

/** One JSON-RPC (`NAME.json`) or binrpc (`NAME.req.hex`) case against the in-process server. */
async function rpcCase(
  server: ReturnType<typeof goldenRpcServer>,
  path: string,
  options: FuzzOptions,
): Promise<{ path: string; ok: boolean; kind: string; diff: string }> {
  const binrpc = path.endsWith(".req.hex");
  const kind: RpcGoldenKind = binrpc
    ? { dialect: "binrpc" }
    : { dialect: "jsonrpc", flavour: flavourOf(path) };
  const label = binrpc ? "binrpc" : `jsonrpc/${flavourOf(path)}`;
  const base = binrpc ? path.slice(0, -8) : path.slice(0, -5);
  const request = binrpc
    ? parseHex(readFileSync(path, "utf8"))
    : new Uint8Array(readFileSync(path));
  let expected: Uint8Array | null;
  let missing = "";
  if (binrpc) {
    const file = `${base}.reply.hex`;
    expected = existsSync(file) ? parseHex(readFileSync(file, "utf8")) : null;
    if (!existsSync(file)) missing = file;
  } else if (existsSync(`${base}.noreply`)) {
    expected = null;
  } else {
    expected = existsSync(`${base}.reply`) ? new Uint8Array(readFileSync(`${base}.reply`)) : null;
    if (!existsSync(`${base}.reply`)) missing = `${base}.reply or ${base}.noreply`;
  }
  const { ok, actual, diff } = await compareRpcCase(server, kind, request, expected);
  if ((!ok || missing) && options.update) writeRpcExpectation(base, binrpc, actual);
  return {
    path,
    ok: (ok && !missing) || !!options.update,
    kind: label,
    diff: missing && !options.update ? `missing ${missing}` : diff,
  };
}

/** Writes a structured case's expectation (and removes the one it replaces). */
function writeRpcExpectation(base: string, binrpc: boolean, actual: Uint8Array | null): void {
  if (binrpc) {
    writeFileSync(`${base}.reply.hex`, actual === null ? "" : formatHex(actual));
    return;
  }
  if (actual === null) {
    writeFileSync(`${base}.noreply`, "");
    if (existsSync(`${base}.reply`)) rmSync(`${base}.reply`);
  } else {
    writeFileSync(`${base}.reply`, actual);
    if (existsSync(`${base}.noreply`)) rmSync(`${base}.noreply`);
  }
}

function describeFailure(f: Failure): string {
  const input = f.input
    ? showInvisible(new TextDecoder().decode(f.input))
    : JSON.stringify(f.reply);
  return `${f.kind} invariant "${f.violation.invariant}" broken: ${f.violation.message}\n  shrunk input: ${input}\n  replay: --seed ${f.seed}`;
}

async function generative(
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
      saveBytes(options.save, `fuzz-${f.seed}-${i}`, f.input, f.violation.invariant, io);
    }
  });
  io.stderr(
    `fuzz: ${result.executed} runs in ${result.seconds.toFixed(1)} s (${
      Math.round(result.executed / result.seconds)
    }/s), ` +
      `${result.failures.length} failure${result.failures.length === 1 ? "" : "s"}${
        result.interrupted ? " (interrupted)" : ""
      }\n`,
  );
  return result.failures.length > 0 ? 1 : result.interrupted ? interruptedStatus(io) : 0;
}

/** A run stopped by signal N that found nothing exits 128+N (130 for Ctrl-C). */
function interruptedStatus(io: Io): number {
  const reason = io.interrupted.reason;
  return EXIT.signal + (typeof reason === "number" ? reason : 2);
}

async function live(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpus: Uint8Array[],
): Promise<number> {
  const target = parseAddress(options.target!);
  const bounds = runBounds(options);
  if (options.generate === undefined && options.time === undefined) {
    throw new MidgramError("usage", "Live fuzzing needs a bound: --generate N or --time DURATION");
  }
  const { runs, seed } = bounds;
  const timeMs = bounds.timeMs ?? NO_TIME_LIMIT;
  const probeText = options.probe.includes(":")
    ? options.probe.replace(/\\n/g, "\n")
    : `:${options.probe}:\n`;
  io.stderr(`fuzz: live against ${options.target}, seed ${seed} (replay with --seed ${seed})\n`);
  const bar = progress(io, runs, options.time !== undefined ? performance.now() + timeMs : null);
  const { runLive } = await engines();
  const result: LiveResult = await runLive({
    target,
    transport: seams.transport ?? io.transport,
    runs,
    timeMs,
    rate: options.rate !== undefined ? whole(options.rate, "--rate") : 0,
    timeoutMs: parseDuration(options.timeout, "--timeout"),
    probe: new TextEncoder().encode(probeText),
    seed,
    corpus,
    indent: options.indent.replace(/\\t/g, "\t"),
    signal: io.interrupted,
    onProgress: (done, r) =>
      bar.update(done, `, ${r.hangs.length} hangs, ${r.malformed.length} malformed`),
  });
  bar.done();
  const show = (b: Uint8Array) => showInvisible(new TextDecoder().decode(b.subarray(0, 200)));
  printFindings(io, result, options.timeout, show);
  if (options.save) {
    for (const [b, name, note] of foundCases(result, seed)) {
      saveBytes(options.save, name, b, note, io);
    }
  }
  const lat = result.latency
    ? `, latency p50 ${result.latency.p50.toFixed(2)} ms, p90 ${
      result.latency.p90.toFixed(2)
    } ms, p99 ${result.latency.p99.toFixed(2)} ms`
    : "";
  const { tooLarge, busy } = result.notSent;
  const notSent = [
    tooLarge ? `${tooLarge} too large for ${target.kind === "udp" ? "UDP" : "the socket"}` : "",
    busy ? `${busy} refused by a full socket` : "",
  ].filter(Boolean);
  io.stderr(
    `fuzz: ${result.executed} requests in ${result.seconds.toFixed(1)} s (${
      Math.round(result.executed / Math.max(result.seconds, 0.001))
    }/s), ` +
      `${result.answered} answered, ${result.hangs.length} hangs, ${result.malformed.length} malformed, ` +
      `${result.crash ? `CRASHED (${result.crash.kind})` : "no crash"}${
        notSent.length ? `, not sent: ${notSent.join(", ")}` : ""
      }${lat}${result.interrupted ? " (interrupted)" : ""}\n`,
  );
  if (result.hangs.length + result.malformed.length > 0 || result.crash) return 1;
  return result.interrupted ? interruptedStatus(io) : 0;
}

function describeDifference(d: Difference): string {
  const c = d.case;
  const request = c.kind === "raw"
    ? showInvisible(new TextDecoder().decode(c.bytes.subarray(0, 200)))
    : c.kind === "cache"
    ? `cache_store/cache_fetch of the line ${JSON.stringify(c.line)}`
    : `${c.method}(${c.params.map((p) => JSON.stringify(p)).join(", ")})`;
  const show = (v: Difference["ours"]) => {
    const bytes = v.bytes ? showInvisible(new TextDecoder().decode(v.bytes.subarray(0, 200))) : "";
    const value = d.what === "arguments" ? ` ${JSON.stringify(v.value)}` : "";
    return `${v.verdict}${value}${d.what === "bytes" ? ` ${bytes}` : ""}`;
  };
  return `${d.what} differs for ${request}\n  ours:      ${show(d.ours)}\n  reference: ${
    show(d.reference)
  }`;
}

async function differential(options: FuzzOptions, io: Io, corpus: Uint8Array[]): Promise<number> {
  if (options.generate === undefined && options.time === undefined) {
    throw new MidgramError(
      "usage",
      "Differential fuzzing needs a bound: --generate N or --time DURATION",
    );
  }
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
    indent: options.indent.replace(/\\t/g, "\t"),
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
  return result.interrupted ? interruptedStatus(io) : 0;
}

/** Saves a structured case (JSON-RPC `NAME.json` under its flavour, binrpc `NAME.req.hex`) with its current reply, for review. */
async function saveRpcCase(
  dir: string,
  name: string,
  kind: RpcGoldenKind,
  bytes: Uint8Array,
  note: string,
  io: Io,
): Promise<void> {
  const server = goldenRpcServer();
  try {
    const { actual } = await compareRpcCase(server, kind, bytes, null);
    const folder = kind.dialect === "jsonrpc" ? join(dir, kind.flavour) : dir;
    mkdirSync(folder, { recursive: true });
    const base = join(folder, name);
    if (kind.dialect === "jsonrpc") writeFileSync(`${base}.json`, bytes);
    else writeFileSync(`${base}.req.hex`, formatHex(bytes));
    writeRpcExpectation(base, kind.dialect === "binrpc", actual);
    io.stderr(
      `saved ${base}${
        kind.dialect === "jsonrpc" ? ".json" : ".req.hex"
      } (${note}); review its expectation before committing\n`,
    );
  } finally {
    await server.close();
  }
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

function rpcKind(options: FuzzOptions): RpcGoldenKind {
  return options.dialect === "binrpc"
    ? { dialect: "binrpc" }
    : { dialect: "jsonrpc", flavour: options.flavour ?? "opensips" };
}

async function rpcGenerative(
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
    const shown = f.input
      ? showInvisible(new TextDecoder("latin1").decode(f.input.subarray(0, 300)))
      : JSON.stringify(f.call ?? f.values);
    io.stdout(
      `${f.kind} invariant "${f.violation.invariant}" broken: ${f.violation.message}\n  shrunk input: ${shown}\n  replay: --seed ${f.seed}\n`,
    );
    if (options.save && bytes) {
      await saveRpcCase(
        options.save,
        `fuzz-${f.seed}-${i}`,
        kind,
        bytes,
        f.violation.invariant,
        io,
      );
    }
  }
  io.stderr(
    `fuzz: ${result.executed} runs in ${
      result.seconds.toFixed(1)
    } s, ${result.failures.length} failure${result.failures.length === 1 ? "" : "s"}${
      result.interrupted ? " (interrupted)" : ""
    }\n`,
  );
  return result.failures.length > 0 ? 1 : result.interrupted ? interruptedStatus(io) : 0;
}

/** Live fuzzing of a JSON-RPC or binrpc server; -1 when detection finds the text dialect. */
async function rpcLive(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpusOf: (dialect: "jsonrpc" | "binrpc") => Uint8Array[],
): Promise<number> {
  if (options.generate === undefined && options.time === undefined) {
    throw new MidgramError("usage", "Live fuzzing needs a bound: --generate N or --time DURATION");
  }
  let target = parseAddress(options.target!, {
    dialect: options.dialect === "binrpc" ? "binrpc" : undefined,
  });
  const transport = seams.transport ?? io.transport;
  const timeoutMs = parseDuration(options.timeout, "--timeout");
  let kind = rpcKind(options);
  if (options.dialect === undefined) {
    const found = await detectDialect(target, { transport, timeoutMs, signal: io.interrupted });
    if (found.address) target = found.address;
    if (found.dialect === "mi") return -1; // the text dialect: the MI live mode
    kind = found.dialect === "binrpc"
      ? { dialect: "binrpc" }
      : { dialect: "jsonrpc", flavour: options.flavour ?? found.flavour ?? "opensips" };
    io.stderr(`fuzz: ${found.dialect} (${found.how})\n`);
  } else if (
    kind.dialect === "jsonrpc" && options.flavour === undefined && target.kind === "fifo"
  ) {
    const found = fifoFlavour(target.path);
    if (found) {
      kind = { dialect: "jsonrpc", flavour: found.flavour };
      io.stderr(`fuzz: jsonrpc (${found.flavour}: ${found.how})\n`);
    }
  }
  const bounds = runBounds(options);
  const { runs, seed } = bounds;
  const timeMs = bounds.timeMs ?? NO_TIME_LIMIT;
  const safe = kind.dialect === "jsonrpc" && kind.flavour === "kamailio" && !options.unsafe;
  io.stderr(
    `fuzz: live ${kind.dialect} against ${options.target}, seed ${seed} (replay with --seed ${seed})${
      safe ? "; not sending what crashes Kamailio 5.6 (--unsafe to send it)" : ""
    }\n`,
  );
  const bar = progress(io, runs, options.time !== undefined ? performance.now() + timeMs : null);
  const { runLiveRpc } = await engines();
  const result = await runLiveRpc({
    dialect: kind.dialect,
    flavour: kind.dialect === "jsonrpc" ? kind.flavour : undefined,
    target,
    transport,
    runs,
    timeMs,
    timeoutMs,
    rate: options.rate !== undefined ? whole(options.rate, "--rate") : 0,
    seed,
    corpus: corpusOf(kind.dialect),
    safeForKamailio: safe,
    replyDir: options.replyDir,
    signal: io.interrupted,
    onProgress: (done) => bar.update(done),
  });
  bar.done();
  const show = (b: Uint8Array) =>
    kind.dialect === "binrpc"
      ? formatHex(b.subarray(0, 64)).trim().replaceAll("\n", " ")
      : showInvisible(new TextDecoder("latin1").decode(b.subarray(0, 200)));
  printFindings(io, result, options.timeout, show);
  if (options.save) {
    for (const [b, name, note] of foundCases(result, seed)) {
      await saveRpcCase(options.save, name, kind, b, note, io);
    }
  }
  const { tooLarge, notWhole } = result.notSent;
  const notSent = [
    tooLarge ? `${tooLarge} too large for a datagram` : "",
    notWhole ? `${notWhole} not one whole packet (stream)` : "",
  ].filter(Boolean);
  io.stderr(
    `fuzz: ${result.executed} requests in ${
      result.seconds.toFixed(1)
    } s, ${result.answered} answered, ` +
      `${result.hangs.length} hangs, ${result.malformed.length} malformed, ${
        result.closed.length ? `${result.closed.length} closed the connection, ` : ""
      }${result.crash ? `CRASHED (${result.crash.kind})` : "no crash"}${
        notSent.length ? `, not sent: ${notSent.join(", ")}` : ""
      }${result.interrupted ? " (interrupted)" : ""}\n`,
  );
  if (result.hangs.length + result.malformed.length > 0 || result.crash) return 1;
  return result.interrupted ? interruptedStatus(io) : 0;
}

/**
 * Live fuzzing of a server of ctl's old FIFO protocol (over UDP, TCP or a
 * FIFO): well-formed requests, their mutations and random bytes; a reply
 * that does not read as `CODE REASON` is malformed, a missing one (where our
 * codec says one comes) a hang. Found inputs are saved as `.ctlfifo` files.
 */
async function ctlFifoLive(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpus: Uint8Array[],
): Promise<number> {
  if (options.generate === undefined && options.time === undefined) {
    throw new MidgramError("usage", "Live fuzzing needs a bound: --generate N or --time DURATION");
  }
  const target = parseAddress(options.target!, { dialect: "ctlfifo" });
  const transport = seams.transport ?? io.transport;
  const timeoutMs = parseDuration(options.timeout, "--timeout");
  const { runs, seed, timeMs } = runBounds(options);
  io.stderr(
    `fuzz: live ctlfifo against ${options.target}, seed ${seed} (replay with --seed ${seed})\n`,
  );
  const bar = progress(io, runs, options.time !== undefined ? performance.now() + timeMs! : null);
  const { runLiveRpc } = await engines();
  const result = await runLiveRpc({
    dialect: "ctlfifo",
    target,
    transport,
    runs,
    timeMs: timeMs ?? NO_TIME_LIMIT,
    timeoutMs,
    rate: options.rate !== undefined ? whole(options.rate, "--rate") : 0,
    seed,
    corpus,
    signal: io.interrupted,
    onProgress: (done) => bar.update(done),
  });
  bar.done();
  const show = (b: Uint8Array) =>
    showInvisible(new TextDecoder("latin1").decode(b.subarray(0, 200)));
  printFindings(io, result, options.timeout, show);
  if (options.save) {
    mkdirSync(options.save, { recursive: true });
    for (const [b, name, note] of foundCases(result, seed)) {
      const path = join(options.save, `${name}.ctlfifo`);
      writeFileSync(path, b);
      io.stderr(`saved ${path} (${note})\n`);
    }
  }
  io.stderr(
    `fuzz: ${result.executed} requests in ${
      result.seconds.toFixed(1)
    } s, ${result.answered} answered, ${result.hangs.length} hangs, ${result.malformed.length} malformed, ${
      result.closed.length ? `${result.closed.length} closed the connection, ` : ""
    }${result.crash ? `CRASHED (${result.crash.kind})` : "no crash"}${
      result.interrupted ? " (interrupted)" : ""
    }\n`,
  );
  if (result.hangs.length + result.malformed.length > 0 || result.crash) return 1;
  return result.interrupted ? interruptedStatus(io) : 0;
}

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
  const corpusDirs = dirs.length ? dirs : existsSync("testdata") ? ["testdata"] : [];
  const corpus = expandPaths(corpusDirs, [".mi"]).map((f) => new Uint8Array(readFileSync(f.path)));
  const rpcCorpus = (dialect: "jsonrpc" | "binrpc") =>
    dialect === "binrpc"
      ? expandPaths(corpusDirs, [".req.hex"]).map((f) => parseHex(readFileSync(f.path, "utf8")))
      : expandPaths(corpusDirs, [".json"]).filter((f) => isJsonRpcCase(f.path)).map((f) =>
        new Uint8Array(readFileSync(f.path))
      );
  const structured = options.dialect === "jsonrpc" || options.dialect === "binrpc";
  if (options.dialect === "ctlfifo") {
    if (options.target === undefined) {
      throw new MidgramError(
        "usage",
        "--dialect ctlfifo fuzzes a live server (--target ADDR, and --diff REF to compare): no generative mode",
      );
    }
    const found = expandPaths(corpusDirs, [".ctlfifo"]).map((f) =>
      new Uint8Array(readFileSync(f.path))
    );
    if (options.diff !== undefined) return await differential(options, io, found);
    return await ctlFifoLive(options, io, seams, found);
  }
  if (options.diff === undefined && options.target !== undefined) {
    if (options.dialect !== "mi") {
      const status = await rpcLive(options, io, seams, rpcCorpus);
      if (status >= 0) return status;
    }
  } else if (options.diff === undefined && structured) {
    return await rpcGenerative(
      options,
      io,
      seams,
      rpcCorpus(options.dialect as "jsonrpc" | "binrpc"),
    );
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
  return options.target !== undefined
    ? await live(options, io, seams, corpus)
    : await generative(options, io, seams, corpus);
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
      ).choices(["mi", "jsonrpc", "binrpc", "ctlfifo"]),
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
