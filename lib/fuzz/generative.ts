/**
 * Generative fuzzing in-process: inputs from `inputs.ts`, every invariant of
 * `invariants.ts` checked, a failure shrunk by fast-check to a small case.
 *
 * @module
 */
import fc from "fast-check";
import { reply as replyArbitrary } from "../protocol/mi/testing/arbitraries.ts";
import { type Analyzer, checkReply, checkRequest, type Violation } from "./invariants.ts";
import { fuzzInput } from "./inputs.ts";
import { analyzeRequest } from "../protocol/mi/analyze_request.ts";
import type { MiReply } from "../protocol/mi/types.ts";

/** Options of {@linkcode runGenerative}. */
export interface GenerativeOptions {
  /** How many inputs at most. */
  runs: number;
  /** The seed: the same seed replays the same inputs. */
  seed: number;
  /** Stop after this many milliseconds even if `runs` is not reached. */
  timeMs?: number;
  /** Golden-case bytes to mutate. */
  corpus?: Uint8Array[];
  /** The analyzer under test; default the real one. */
  analyze?: Analyzer;
  /** Called every 500 inputs with the count so far. */
  onProgress?: (done: number) => void;
  /** Stops early (Ctrl-C); the summary so far is returned. */
  signal?: AbortSignal;
}

/** A shrunk failing case. */
export interface Failure {
  kind: "request" | "reply";
  /** The request bytes (kind `request`). */
  input?: Uint8Array;
  /** The reply tree (kind `reply`). */
  reply?: MiReply;
  violation: Violation;
  /** fast-check's seed and path: replay with `--seed`. */
  seed: number;
  path: string;
}

/** The outcome of a run. */
export interface GenerativeResult {
  executed: number;
  seconds: number;
  failures: Failure[];
  interrupted: boolean;
}

/**
 * Runs the request invariants, then the reply invariants, on generated and
 * mutated inputs.
 *
 * @example
 * ```ts
 * import { runGenerative } from "./generative.ts";
 * const result = runGenerative({ runs: 1000, seed: 42 });
 * console.log(result.executed, result.failures.length);
 * ```
 */
export function runGenerative(options: GenerativeOptions): GenerativeResult {
  const analyze = options.analyze ?? analyzeRequest;
  const started = performance.now();
  const deadline = options.timeMs === undefined ? Infinity : started + options.timeMs;
  let executed = 0;
  let interrupted = false;
  const failures: Failure[] = [];
  const tick = () => {
    executed++;
    if (executed % 500 === 0) options.onProgress?.(executed);
  };
  const stopNow = () => {
    if (options.signal?.aborted) interrupted = true;
    return interrupted || performance.now() > deadline;
  };
  const requestRuns = Math.max(1, Math.ceil(options.runs * 0.8));
  const parameters = (runs: number) => ({
    numRuns: runs,
    seed: options.seed,
    interruptAfterTimeLimit: Number.isFinite(deadline)
      ? Math.max(1, deadline - performance.now())
      : undefined,
    markInterruptAsFailure: false,
  });
  let shrinking = false;
  const requests = fc.check(
    fc.property(fuzzInput(options.corpus), (bytes) => {
      if (!shrinking) tick();
      if (!shrinking && stopNow()) fc.pre(false);
      const violation = checkRequest(bytes, analyze);
      if (violation) shrinking = true;
      return violation === null;
    }),
    parameters(requestRuns),
  );
  if (requests.failed && requests.counterexample) {
    const [input] = requests.counterexample;
    failures.push({
      kind: "request",
      input,
      violation: checkRequest(input, analyze) ??
        { invariant: "unknown", message: String(requests.errorInstance) },
      seed: requests.seed,
      path: requests.counterexamplePath ?? "",
    });
  }
  if (!stopNow()) {
    shrinking = false;
    const replies = fc.check(
      fc.property(replyArbitrary, (reply) => {
        if (!shrinking) tick();
        if (!shrinking && stopNow()) fc.pre(false);
        const violation = checkReply(reply);
        if (violation) shrinking = true;
        return violation === null;
      }),
      parameters(Math.max(1, options.runs - requestRuns)),
    );
    if (replies.failed && replies.counterexample) {
      const [reply] = replies.counterexample;
      failures.push({
        kind: "reply",
        reply,
        violation: checkReply(reply) ??
          { invariant: "unknown", message: String(replies.errorInstance) },
        seed: replies.seed,
        path: replies.counterexamplePath ?? "",
      });
    }
  }
  return { executed, seconds: (performance.now() - started) / 1000, failures, interrupted };
}
