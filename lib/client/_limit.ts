/**
 * One client wait bounded by a time limit and the caller's signal, told
 * apart when it ends: the caller's abort is `closed`, the time running out
 * `timeout`.
 *
 * @module
 */
import { MidgramError } from "../errors.ts";

/** A running time limit: its signal, why it ended, and `done()` to clear it. */
export interface Limit {
  /** Aborts when the time runs out or the caller aborts. */
  readonly signal: AbortSignal;
  /** Whether the caller aborted (rather than the time running out). */
  readonly aborted: boolean;
  /** Why the wait ended, as an error (`closed` or `timeout`), or null while it runs. */
  error(name: string, timeout: string): MidgramError | null;
  /** Clears the timer and the listener on the caller's signal. */
  done(): void;
}

/**
 * Starts a time limit of `timeoutMs`, which also ends when `outer` aborts.
 * Call `done()` once the wait is over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { limit } from "./_limit.ts";
 * const caller = new AbortController();
 * const wait = limit(10_000, caller.signal);
 * caller.abort();
 * assert.equal(wait.signal.aborted, true);
 * assert.equal(wait.error("udp:127.0.0.1:8080", "late")?.code, "closed");
 * wait.done();
 * ```
 */
export function limit(timeoutMs: number, outer?: AbortSignal): Limit {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort("timeout"), timeoutMs);
  const onAbort = () => controller.abort("aborted");
  outer?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    get aborted(): boolean {
      return controller.signal.reason === "aborted";
    },
    error(name: string, timeout: string): MidgramError | null {
      if (!controller.signal.aborted) return null;
      return this.aborted
        ? new MidgramError("closed", `Request to "${name}" aborted`)
        : new MidgramError("timeout", timeout);
    },
    done(): void {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}
