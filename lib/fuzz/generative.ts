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
import { checkParameters, shrunkFailures } from "./_shrunk.ts";

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

/** How often the loop gives the event loop a turn (signals, timers), in ms. */
const YIELD_EVERY_MS = 50;

/**
 * Runs the request invariants, then the reply invariants, on generated and
 * mutated inputs.
 *
 * The loop gives the event loop a turn every 50 ms, so a signal (Ctrl-C,
 * SIGTERM) is seen at once: when `signal` aborts, the run stops within that
 * time and the summary so far is returned (a failure found but not yet shrunk
 * is returned as found).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runGenerative } from "./generative.ts";
 * const result = await runGenerative({ runs: 100, seed: 42 });
 * assert.equal(result.executed, 100);
 * assert.equal(result.failures.length, 0);
 * ```
 */
export async function runGenerative(options: GenerativeOptions): Promise<GenerativeResult> {
  const analyze = options.analyze ?? analyzeRequest;
  const started = performance.now();
  const deadline = options.timeMs === undefined ? Infinity : started + options.timeMs;
  let executed = 0;
  let interrupted = false;
  const failures: Failure[] = [];
  let lastTurn = performance.now();
  const turn = async () => {
    if (performance.now() - lastTurn < YIELD_EVERY_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    lastTurn = performance.now();
  };
  const tick = () => {
    executed++;
    if (executed % 500 === 0) options.onProgress?.(executed);
  };
  const stopNow = () => {
    if (options.signal?.aborted) interrupted = true;
    return interrupted || performance.now() > deadline;
  };
  // An abort abandons fast-check's run where it is: its promise is left pending (nothing
  // keeps the process alive for it) instead of generating and skipping the remaining inputs.
  let removeAbortListener = () => {};
  const aborted = new Promise<"aborted">((resolve) => {
    const signal = options.signal;
    if (!signal) return;
    if (signal.aborted) return resolve("aborted");
    const onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    removeAbortListener = () => signal.removeEventListener("abort", onAbort);
  });
  const requestRuns = Math.max(1, Math.ceil(options.runs * 0.8));
  /**
   * One check: each input counted and checked until one fails, which
   * fast-check then shrinks; an abort keeps the failure as first found.
   */
  const phase = async <T>(
    arbitrary: fc.Arbitrary<T>,
    check: (value: T) => Violation | null,
    runs: number,
    failure: (value: T) => Pick<Failure, "kind" | "input" | "reply">,
  ): Promise<void> => {
    let shrinking = false;
    let firstFailing: { value: T } | null = null;
    const details = await Promise.race([
      fc.check(
        fc.asyncProperty(arbitrary, async (value) => {
          await turn();
          if (options.signal?.aborted) return new Promise<boolean>(() => {}); // abandoned
          if (!shrinking) tick();
          if (!shrinking && stopNow()) fc.pre(false);
          const violation = check(value);
          if (violation && !shrinking) {
            shrinking = true;
            firstFailing = { value };
          }
          return violation === null;
        }),
        checkParameters(runs, options.seed, deadline),
      ),
      aborted,
    ]);
    if (details === "aborted") {
      interrupted = true;
      const first = firstFailing as { value: T } | null;
      if (first !== null) {
        failures.push({
          ...failure(first.value),
          violation: check(first.value)!,
          seed: options.seed,
          path: "",
        });
      }
    } else failures.push(...await shrunkFailures(details, check, failure));
  };
  try {
    await phase(
      fuzzInput(options.corpus),
      (bytes) => checkRequest(bytes, analyze),
      requestRuns,
      (input) => ({ kind: "request", input }),
    );
    if (!stopNow()) {
      await phase(
        replyArbitrary,
        checkReply,
        options.runs - requestRuns,
        (reply) => ({ kind: "reply", reply }),
      );
    }
  } finally {
    removeAbortListener();
  }
  return { executed, seconds: (performance.now() - started) / 1000, failures, interrupted };
}
