/**
 * The one way the server logs what a peer can make happen once per request
 * (a refused peer, a reply that cannot be delivered, a failing handler):
 * at most one line per cause per interval, with a count of the rest, so a
 * flood cannot fill a disk with log lines.
 *
 * @module
 */
import type { Logger, LogLevel } from "./types.ts";

/** Lines of one cause are logged at most once per this interval, with a count. */
export const LOG_INTERVAL_MS = 60_000;

/**
 * Logs each cause at most once per interval. The first event of a cause is
 * logged as it comes; the events after it in the same interval are only
 * counted; the first event after the interval is logged with `count` (how
 * many were not logged) and `seconds` (over how long). No timer: nothing is
 * left running when the server stops.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimitedLog } from "./_rate_limited_log.ts";
 * const lines: string[] = [];
 * let now = 0;
 * const log = new RateLimitedLog({ log: (_l, m, f) => lines.push(`${m} ${f?.count ?? ""}`) }, () => now);
 * for (let i = 0; i < 100; i++) log.log("warn", "denied", "peer refused");
 * now = 61_000;
 * log.log("warn", "denied", "peer refused");
 * assert.deepEqual(lines, ["peer refused ", "peer refused 99"]);
 * ```
 */
export class RateLimitedLog {
  private readonly seen = new Map<string, { since: number; count: number }>();

  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly intervalMs: number;

  constructor(
    logger: Logger,
    now: () => number,
    intervalMs = LOG_INTERVAL_MS,
  ) {
    this.logger = logger;
    this.now = now;
    this.intervalMs = intervalMs;
  }

  /** How many causes it remembers: one entry per cause ever logged, a small fixed set. */
  get causes(): number {
    return this.seen.size;
  }

  /**
   * Logs `message` under `cause` (a short fixed name: the set of causes is
   * small and fixed, so the map stays bounded), or counts it when a line of
   * that cause went out less than an interval ago.
   */
  log(level: LogLevel, cause: string, message: string, fields?: Record<string, unknown>): void {
    if (this.logger.enabled && !this.logger.enabled(level)) return;
    const now = this.now();
    const seen = this.seen.get(cause);
    if (seen && now - seen.since < this.intervalMs) {
      seen.count++;
      return;
    }
    if (seen && seen.count > 0) {
      this.logger.log(level, message, {
        ...fields,
        count: seen.count,
        seconds: Math.round((now - seen.since) / 1000),
      });
    } else {
      this.logger.log(level, message, fields);
    }
    this.seen.set(cause, { since: now, count: 0 });
  }
}
