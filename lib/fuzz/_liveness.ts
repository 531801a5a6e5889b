/**
 * How live fuzzing tells a crash from a slow server, for every dialect: a
 * side-effect-free probe, repeated with back-off before the target is
 * declared unresponsive; a refused or vanished socket means gone at once.
 *
 * @module
 */
import { errorCodeOf, MidgramError } from "../errors.ts";

/** Why one probe got no answer, and whether the target is certainly gone. */
export interface ProbeMiss {
  why: string;
  gone: boolean;
}

/** The verdict on a target that stopped answering. */
export interface Down {
  why: string;
  kind: "gone" | "unresponsive";
}

/** The default waits between probes, in ms: four more probes over 3.75 s. */
export const PROBE_BACKOFF_MS: readonly number[] = [250, 500, 1000, 2000];

/** An error's message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Nothing serves the address any more: certain, no need to wait. */
export function isGone(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === "connection-refused" || code === "not-found";
}

/** The miss of a probe that failed with `error`. */
export function probeMiss(error: unknown): ProbeMiss {
  return { why: messageOf(error), gone: isGone(error) };
}

/**
 * Throws when the target does not answer the probe before fuzzing starts:
 * `transport` when it is gone, else `timeout`.
 */
export async function firstProbe(probeOnce: () => Promise<ProbeMiss | null>): Promise<void> {
  const first = await probeOnce();
  if (first !== null) {
    throw new MidgramError(
      first.gone ? "transport" : "timeout",
      `The probe gets no answer before fuzzing starts: ${first.why}`,
    );
  }
}

/**
 * Probes with back-off: `null` as soon as a probe is answered (or the run is
 * interrupted: an interrupted run blames nothing), `gone` as soon as the
 * target is certainly gone, `unresponsive` when every probe went unanswered.
 */
export async function probeWithBackoff(
  probeOnce: () => Promise<ProbeMiss | null>,
  backoff: readonly number[],
  signal?: AbortSignal,
): Promise<Down | null> {
  let down = await probeOnce();
  const started = performance.now();
  for (const wait of backoff) {
    if (down === null) return null;
    if (down.gone) return { why: `the server is gone: ${down.why}`, kind: "gone" };
    if (signal?.aborted) return null;
    await new Promise((resolve) => setTimeout(resolve, wait));
    down = await probeOnce();
  }
  if (down === null) return null;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return down.gone ? { why: `the server is gone: ${down.why}`, kind: "gone" } : {
    why: `unresponsive to ${backoff.length + 1} probes over ${seconds} s: ${down.why}`,
    kind: "unresponsive",
  };
}
