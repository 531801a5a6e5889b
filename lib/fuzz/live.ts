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
import {
  firstProbe,
  messageOf,
  PROBE_BACKOFF_MS,
  probeMiss,
  probeWithBackoff,
} from "./_liveness.ts";

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
  /**
   * Waits between the liveness probes that must all fail before the target is
   * declared crashed (it may just be busy). Default 250, 500, 1000, 2000 ms:
   * five probes over about 4 s plus their timeouts.
   */
  probeBackoffMs?: readonly number[];
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
  /**
   * Set when the target crashed: the inputs sent since the last good probe.
   * `gone`: nothing serves the address any more (connection refused, no such
   * socket), which is certain; `unresponsive`: every probe over the back-off
   * failed (no reply, or its socket stayed full).
   */
  crash: { inputs: Uint8Array[]; why: string; kind: "gone" | "unresponsive" } | null;
  /**
   * Inputs that were not sent, never blamed on the target: `tooLarge`, more
   * than the transport carries in one datagram (65507 bytes over UDP/IPv4,
   * 65527 over IPv6, or EMSGSIZE); `busy`, the target's socket stayed full
   * for the whole timeout (reported, not a hang: the server never got it).
   */
  notSent: { tooLarge: number; busy: number };
  /** Latency percentiles in ms of answered requests. */
  latency: { p50: number; p90: number; p99: number } | null;
  interrupted: boolean;
}

/**
 * Runs a bounded live fuzzing session.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runLive } from "./live.ts";
 * import { createServerWith } from "../server/mod.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * const server = createServerWith({ transport });
 * const target = await server.listen({ kind: "unix", path: "/mi.sock" });
 * const result = await runLive({ target, transport, runs: 50, timeMs: 5000, timeoutMs: 1000, seed: 1 });
 * assert.equal(result.executed, 50);
 * assert.equal(result.crash, null);
 * await server.close();
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
    notSent: { tooLarge: 0, busy: 0 },
    latency: null,
    interrupted: false,
  };
  const carries = maxDatagram(options.target);
  const backoff = options.probeBackoffMs ?? PROBE_BACKOFF_MS;
  const ask = (bytes: Uint8Array) =>
    sendRequest(options.target, bytes, {
      transport: options.transport,
      timeoutMs: options.timeoutMs,
      indent: options.indent,
      allowOversize: true,
    });
  /** One probe: null when it answers, else why not and whether the target is certainly gone. */
  const probeOnce = async (): Promise<{ why: string; gone: boolean } | null> => {
    try {
      await ask(probe);
      return null;
    } catch (error) {
      return probeMiss(error);
    }
  };
  /** A crash only when the target is gone or stays unresponsive. */
  const alive = () => probeWithBackoff(probeOnce, backoff, options.signal);
  await firstProbe(probeOnce);
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
      if (input.length > carries) {
        // The transport cannot carry it: never sent, never blamed on the target.
        result.notSent.tooLarge++;
        continue;
      }
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
        if (isTooLarge(error)) {
          result.executed--;
          sinceProbe.pop();
          result.notSent.tooLarge++;
        } else if (isSendTimeout(error)) {
          // The socket stayed full: the server never got it. Busy or dead: the probes tell.
          result.executed--;
          sinceProbe.pop();
          result.notSent.busy++;
          hung = true;
        } else if (errorCodeOf(error) === "timeout") {
          hung = true;
          result.hangs.push(input);
        } else {
          // Refused, no such socket, …: let the probes decide (gone, or a passing fault).
          hung = true;
        }
      }
      if (hung || sinceProbe.length >= probeEvery) {
        const down = await alive();
        if (down !== null) {
          result.crash = { ...down, inputs: sinceProbe };
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
    if (down !== null) result.crash = { ...down, inputs: sinceProbe };
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

/** The largest datagram the target's transport carries: a UDP payload's limit, else unbounded. */
export function maxDatagram(target: Address): number {
  if (target.kind !== "udp") return Infinity; // UNIX: the kernel says EMSGSIZE if it must
  return target.host.includes(":") ? 65527 : 65507;
}

/** The datagram was too large for the socket (EMSGSIZE): the sender's limit, not the target's fault. */
function isTooLarge(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code === "EMSGSIZE" || /message too (large|long)|EMSGSIZE/i.test(messageOf(error));
}

/** The send itself timed out: the target's socket stayed full. */
function isSendTimeout(error: unknown): boolean {
  return errorCodeOf(error) === "timeout" && /stayed full/.test(messageOf(error));
}
