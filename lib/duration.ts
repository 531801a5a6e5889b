import { MidgramError } from "./errors.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration as the CLI and config file write it: a number with an
 * optional unit (`ms`, `s`, `m`, `h`); a bare number means milliseconds, as
 * in the servers' own `socket_timeout`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert.equal(parseDuration("500ms"), 500);
 * assert.equal(parseDuration("5s"), 5000);
 * assert.equal(parseDuration("2000"), 2000);
 * ```
 *
 * @param text The duration, e.g. `1.5s`.
 * @param what What the duration is for, named in the error message.
 * @returns The duration in whole milliseconds.
 * @throws {MidgramError} `usage` when the text is not a duration.
 */
export function parseDuration(text: string, what = "duration"): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) {
    throw new MidgramError(
      "usage",
      `Cannot parse ${what} "${text}": expected a number with an optional unit (ms, s, m, h)`,
    );
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? "ms"]);
}

/**
 * Writes milliseconds back as the shortest exact duration text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./duration.ts";
 * assert.equal(formatDuration(5000), "5s");
 * assert.equal(formatDuration(1500), "1500ms");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
