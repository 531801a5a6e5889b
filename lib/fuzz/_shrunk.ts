/**
 * What the generative runs of every dialect share around fast-check: the
 * parameters of a bounded, seeded check, and the failure it found and shrank.
 *
 * @module
 */
import type fc from "fast-check";
import type { Violation } from "./invariants.ts";

/**
 * fast-check's parameters for `runs` inputs (at least one) from `seed`,
 * interrupted at `deadline` (a `performance.now()` time, or `Infinity`)
 * without counting the interruption as a failure.
 */
export function checkParameters(runs: number, seed: number, deadline: number): {
  numRuns: number;
  seed: number;
  interruptAfterTimeLimit: number | undefined;
  markInterruptAsFailure: boolean;
} {
  return {
    numRuns: Math.max(1, runs),
    seed,
    interruptAfterTimeLimit: Number.isFinite(deadline)
      ? Math.max(1, deadline - performance.now())
      : undefined,
    markInterruptAsFailure: false,
  };
}

/** Where a shrunk case came from: its violation, and fast-check's seed and path to replay it. */
export interface Replay {
  violation: Violation;
  seed: number;
  path: string;
}

/**
 * The failure of a check, as `failure(value)` describes its case followed
 * by the violation found again on the shrunk value (or fast-check's error
 * when the value passes again) and the seed and path that replay it; none
 * when the check passed.
 */
export async function shrunkFailures<T, F>(
  details: fc.RunDetails<[T]>,
  check: (value: T) => Violation | null | Promise<Violation | null>,
  failure: (value: T) => F,
): Promise<(F & Replay)[]> {
  if (!details.failed || !details.counterexample) return [];
  const [value] = details.counterexample;
  return [{
    ...failure(value),
    violation: (await check(value)) ??
      { invariant: "unknown", message: String(details.errorInstance) },
    seed: details.seed,
    path: details.counterexamplePath ?? "",
  }];
}
