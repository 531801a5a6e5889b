/**
 * Live fuzzing: generated and mutated requests sent to a running server
 * (midgram, OpenSIPS, Kamailio), checking that every reply is well-formed,
 * that no request goes unanswered, and that a liveness probe keeps answering.
 * Always bounded by a count and a time.
 *
 * @module
 */
import fc from "fast-check";
import { sendRequest } from "../client/request.ts";
import { errorCodeOf } from "../errors.ts";
import { parseReply } from "../protocol/mi/parse_reply.ts";
import type { Address, Transport } from "../transport/types.ts";
import { fuzzInput } from "./inputs.ts";

/** Options of {@linkcode runLive}. */
export interface LiveOptions {
  target: Address;
  transport: Transport;
  /** Inputs to send at most. */
  runs: number;
  /** Stop after this many ms. */
  timeMs: number;
  /** Requests per second at most (0: as fast as replies come). */
  rate?: number;
  /** A request with no reply within this time is a hang. */
  timeoutMs: number;
  /** The liveness probe; default `:which:\n`. */
  probe?: Uint8Array;
  /** Probe after this many inputs (and after every hang). Default 100. */
  probeEvery?: number;
  seed: number;
  corpus?: Uint8Array[];
  /** The reply indent of the server. */
  indent?: string;
  onProgress?: (done: number, stats: LiveResult) => void;
  signal?: AbortSignal;
}

/** What a live run found. */
export interface LiveResult {
  executed: number;
  seconds: number;
  answered: number;
  hangs: Uint8Array[];
  malformed: { input: Uint8Array; reply: Uint8Array; why: string }[];
  /** Set when the probe stopped answering: the inputs sent since the last good probe. */
  crash: { inputs: Uint8Array[]; why: string } | null;
  /** Latency percentiles in ms of answered requests. */
  latency: { p50: number; p90: number; p99: number } | null;
  interrupted: boolean;
}

/**
 * Runs a bounded live fuzzing session.
 *
 * @example
 * ```ts
 * import { runLive } from "./live.ts";
 * const result = await runLive({
 *   target: { kind: "unix", path: "/tmp/mi.sock" }, runs: 1000, timeMs: 10_000, timeoutMs: 2000, seed: 1,
 * });
 * ```
 */
export async function runLive(options: LiveOptions): Promise<LiveResult> {
  const probe = options.probe ?? new TextEncoder().encode(":which:\n");
  const probeEvery = options.probeEvery ?? 100;
  const started = performance.now();
  const deadline = started + options.timeMs;
  const latencies: number[] = [];
  const result: LiveResult = {
    executed: 0,
    seconds: 0,
    answered: 0,
    hangs: [],
    malformed: [],
    crash: null,
    latency: null,
    interrupted: false,
  };
  const ask = (bytes: Uint8Array) =>
    sendRequest(options.target, bytes, {
      transport: options.transport,
      timeoutMs: options.timeoutMs,
      indent: options.indent,
      allowOversize: true,
    });
  const alive = async (): Promise<string | null> => {
    try {
      await ask(probe);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  const first = await alive();
  if (first !== null) throw new Error(`The probe gets no answer before fuzzing starts: ${first}`);
  const arbitrary = fuzzInput(options.corpus);
  let sinceProbe: Uint8Array[] = [];
  let batch = 0;
  outer:
  while (result.executed < options.runs) {
    const inputs = fc.sample(arbitrary, { numRuns: 200, seed: options.seed + batch++ });
    for (const input of inputs) {
      if (result.executed >= options.runs || performance.now() > deadline) break outer;
      if (options.signal?.aborted) {
        result.interrupted = true;
        break outer;
      }
      if (input.length === 0) continue; // an empty datagram gets no reply, by design
      result.executed++;
      sinceProbe.push(input);
      const t0 = performance.now();
      let hung = false;
      try {
        const reply = await ask(input);
        latencies.push(performance.now() - t0);
        result.answered++;
        if (reply.error) {
          result.malformed.push({ input, reply: reply.bytes, why: reply.error.message });
        } else {
          try {
            parseReply(reply.bytes, { indent: options.indent });
          } catch (error) {
            result.malformed.push({ input, reply: reply.bytes, why: String(error) });
          }
        }
      } catch (error) {
        if (errorCodeOf(error) !== "timeout") {
          result.crash = {
            inputs: sinceProbe,
            why: error instanceof Error ? error.message : String(error),
          };
          break outer;
        }
        hung = true;
        result.hangs.push(input);
      }
      if (hung || sinceProbe.length >= probeEvery) {
        const down = await alive();
        if (down !== null) {
          result.crash = { inputs: sinceProbe, why: down };
          break outer;
        }
        sinceProbe = [];
      }
      options.onProgress?.(result.executed, result);
      if (options.rate) {
        const due = t0 + 1000 / options.rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  if (result.crash === null && !result.interrupted && sinceProbe.length > 0) {
    const down = await alive();
    if (down !== null) result.crash = { inputs: sinceProbe, why: down };
  }
  result.seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  if (latencies.length > 0) {
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
    result.latency = { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
  }
  return result;
}
