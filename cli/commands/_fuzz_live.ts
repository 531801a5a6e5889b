/**
 * `midgram fuzz`'s live mode (`--target`): requests sent to a running
 * server, replies and liveness checked; hangs, malformed replies and a crash
 * printed and, with `--save`, kept. One mode for every dialect: text MI
 * ({@linkcode live}), JSON-RPC or binrpc, detected unless named
 * ({@linkcode rpcLive}), and ctl's old FIFO protocol ({@linkcode ctlFifoLive}).
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectDialect, fifoFlavour } from "../../lib/client/detect.ts";
import { parseDuration } from "../../lib/duration.ts";
import { formatHex } from "../../lib/fuzz/golden_rpc.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import {
  engines,
  type FuzzOptions,
  type FuzzSeams,
  indentOf,
  keepParseCase,
  keepRpcCase,
  NO_TIME_LIMIT,
  preview,
  progress,
  rateOf,
  requireBound,
  rpcKind,
  runBounds,
} from "./_fuzz_common.ts";
import { type Io, stoppedStatus } from "../io.ts";

/** What a live run found, in any dialect: LiveResult and LiveRpcResult share it. */
interface LiveFindings {
  executed: number;
  seconds: number;
  answered: number;
  hangs: Uint8Array[];
  malformed: { input: Uint8Array; why: string }[];
  /** Stream targets only: connections closed without a reply (a note, not a failure). */
  closed?: Uint8Array[];
  crash: { inputs: Uint8Array[]; why: string; kind: string } | null;
  interrupted: boolean;
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

/**
 * The closing line of a live run (stderr): `perSecond` adds the rate,
 * `notSent` what could not be sent, `latency` the text MI run's percentiles.
 */
function summary(
  r: LiveFindings,
  extra: { perSecond?: boolean; notSent?: string[]; latency?: string },
): string {
  const rate = extra.perSecond ? ` (${Math.round(r.executed / Math.max(r.seconds, 0.001))}/s)` : "";
  const closed = r.closed?.length ? `${r.closed.length} closed the connection, ` : "";
  const notSent = extra.notSent?.length ? `, not sent: ${extra.notSent.join(", ")}` : "";
  return `fuzz: ${r.executed} requests in ${r.seconds.toFixed(1)} s${rate}, ` +
    `${r.answered} answered, ${r.hangs.length} hangs, ${r.malformed.length} malformed, ` +
    `${closed}${r.crash ? `CRASHED (${r.crash.kind})` : "no crash"}${notSent}${
      extra.latency ?? ""
    }${r.interrupted ? " (interrupted)" : ""}\n`;
}

/** The exit status of a live run: 1 for a hang, a malformed reply or a crash. */
function liveStatus(r: LiveFindings, io: Io): number {
  if (r.hangs.length + r.malformed.length > 0 || r.crash) return 1;
  return (r.interrupted && stoppedStatus(io)) || 0;
}

/** Text MI against a server: hangs, malformed replies, a crash (the probe stops answering). */
export async function live(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpus: Uint8Array[],
): Promise<number> {
  const target = parseAddress(options.target!);
  const bounds = runBounds(options);
  requireBound(options, "Live");
  const { runs, seed } = bounds;
  const timeMs = bounds.timeMs ?? NO_TIME_LIMIT;
  const probeText = options.probe.includes(":")
    ? options.probe.replace(/\\n/g, "\n")
    : `:${options.probe}:\n`;
  io.stderr(`fuzz: live against ${options.target}, seed ${seed} (replay with --seed ${seed})\n`);
  const bar = progress(io, runs, options.time !== undefined ? performance.now() + timeMs : null);
  const { runLive } = await engines();
  const result = await runLive({
    target,
    transport: seams.transport ?? io.transport,
    runs,
    timeMs,
    rate: rateOf(options),
    timeoutMs: parseDuration(options.timeout, "--timeout"),
    probe: new TextEncoder().encode(probeText),
    seed,
    corpus,
    indent: indentOf(options),
    signal: io.interrupted,
    onProgress: (done, r) =>
      bar.update(done, `, ${r.hangs.length} hangs, ${r.malformed.length} malformed`),
  });
  bar.done();
  const show = (b: Uint8Array) => preview(b);
  printFindings(io, result, options.timeout, show);
  if (options.save) {
    for (const [b, name, note] of foundCases(result, seed)) {
      keepParseCase(io, options.save, name, b, note);
    }
  }
  const latency = result.latency
    ? `, latency p50 ${result.latency.p50.toFixed(2)} ms, p90 ${
      result.latency.p90.toFixed(2)
    } ms, p99 ${result.latency.p99.toFixed(2)} ms`
    : "";
  const { tooLarge, busy } = result.notSent;
  const notSent = [
    tooLarge ? `${tooLarge} too large for ${target.kind === "udp" ? "UDP" : "the socket"}` : "",
    busy ? `${busy} refused by a full socket` : "",
  ].filter(Boolean);
  io.stderr(summary(result, { perSecond: true, notSent, latency }));
  return liveStatus(result, io);
}

/** JSON-RPC or binrpc against a server; -1 when detection finds the text dialect. */
export async function rpcLive(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpusOf: (dialect: "jsonrpc" | "binrpc") => Uint8Array[],
): Promise<number> {
  requireBound(options, "Live");
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
    rate: rateOf(options),
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
      : preview(b, "latin1");
  printFindings(io, result, options.timeout, show);
  if (options.save) {
    for (const [b, name, note] of foundCases(result, seed)) {
      await keepRpcCase(io, options.save, name, kind, b, note);
    }
  }
  const { tooLarge, notWhole } = result.notSent;
  const notSent = [
    tooLarge ? `${tooLarge} too large for a datagram` : "",
    notWhole ? `${notWhole} not one whole packet (stream)` : "",
  ].filter(Boolean);
  io.stderr(summary(result, { notSent }));
  return liveStatus(result, io);
}

/**
 * ctl's old FIFO protocol against a server (over UDP, TCP or a FIFO):
 * well-formed requests, their mutations and random bytes; a reply that does
 * not read as `CODE REASON` is malformed, a missing one (where our codec
 * says one comes) a hang. Found inputs are saved as `.ctlfifo` files.
 */
export async function ctlFifoLive(
  options: FuzzOptions,
  io: Io,
  seams: FuzzSeams,
  corpus: Uint8Array[],
): Promise<number> {
  requireBound(options, "Live");
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
    rate: rateOf(options),
    seed,
    corpus,
    signal: io.interrupted,
    onProgress: (done) => bar.update(done),
  });
  bar.done();
  const show = (b: Uint8Array) => preview(b, "latin1");
  printFindings(io, result, options.timeout, show);
  if (options.save) {
    mkdirSync(options.save, { recursive: true });
    for (const [b, name, note] of foundCases(result, seed)) {
      const path = join(options.save, `${name}.ctlfifo`);
      writeFileSync(path, b);
      io.stderr(`saved ${path} (${note})\n`);
    }
  }
  io.stderr(summary(result, {}));
  return liveStatus(result, io);
}
