/**
 * A signal many waits listen on at once (a server's: one per receive loop
 * and connection), without the runtime's warning about a possible listener
 * leak past ten: each wait removes its listener when done.
 *
 * @module
 */
import { setMaxListeners } from "node:events";

/**
 * Lifts the runtime's limit on the listeners of `signal`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getMaxListeners, setMaxListeners } from "node:events";
 * import { shareSignal } from "./shared_signal.ts";
 * const stop = new AbortController();
 * setMaxListeners(5, stop.signal);
 * shareSignal(stop.signal);
 * assert.equal(getMaxListeners(stop.signal), 0); // 0: no limit
 * ```
 */
export function shareSignal(signal: AbortSignal): void {
  setMaxListeners(0, signal);
}
