/**
 * Log lines on stderr, as text or JSON, with a level filter that can change
 * at run time (the `log_level` built-in).
 *
 * @module
 */
import type { Logger, LogLevel } from "../lib/server/server.ts";

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** OpenSIPS log levels (L_ERR -1 … L_DBG 4) onto ours. */
export function levelFromNumber(level: number): LogLevel {
  return level <= -1 ? "error" : level <= 1 ? "warn" : level <= 3 ? "info" : "debug";
}

/** Ours onto OpenSIPS log levels. */
export function levelToNumber(level: LogLevel): number {
  return { error: -1, warn: 1, info: 3, debug: 4 }[level];
}

/** A logger whose level can be read and changed. */
export interface CliLogger extends Logger {
  level: LogLevel;
}

/** The longest value a log line shows: a peer's 64 KB method name or reply name is cut to this. */
export const MAX_LOGGED_CHARS = 300;

/**
 * A value as logged: `MAX_LOGGED_CHARS` characters at most, then a marker
 * saying how many were cut (never half a surrogate pair).
 */
function cut(s: string): string {
  if (s.length <= MAX_LOGGED_CHARS) return s;
  let keep = MAX_LOGGED_CHARS;
  const last = s.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--;
  return `${s.slice(0, keep)}...(${s.length - keep} more characters)`;
}

/** A field's value as text, cut (non-strings as JSON). */
function valueText(value: unknown): string {
  return cut(typeof value === "string" ? value : JSON.stringify(value) ?? String(value));
}

function text(value: unknown): string {
  const s = valueText(value);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** A field's value in a JSON line: as it is, unless its text is too long: then that text, cut. */
function jsonValue(value: unknown): unknown {
  if (typeof value === "string") return cut(value);
  if (value === undefined || typeof value !== "object") return value;
  const json = JSON.stringify(value);
  return json === undefined || json.length <= MAX_LOGGED_CHARS ? value : cut(json);
}

/**
 * Creates a logger writing to `write` (stderr).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "./_logger.ts";
 * const lines: string[] = [];
 * const logger = createLogger((line) => lines.push(line), "info", "text");
 * logger.log("info", "listening", { address: "/run/midgram/midgram.sock" });
 * logger.log("debug", "not shown");
 * assert.equal(lines.length, 1);
 * assert.match(lines[0], /listening.*\/run\/midgram\/midgram\.sock/);
 * ```
 */
export function createLogger(
  write: (line: string) => void,
  level: LogLevel,
  format: "text" | "json",
  now: () => Date = () => new Date(),
): CliLogger {
  const logger: CliLogger = {
    level,
    enabled: (at) => RANK[at] <= RANK[logger.level],
    log(at, message, fields = {}) {
      if (RANK[at] > RANK[logger.level]) return;
      const time = now().toISOString();
      if (format === "json") {
        const values = Object.fromEntries(
          Object.entries(fields).map(([k, v]) => [k, jsonValue(v)]),
        );
        write(JSON.stringify({ time, level: at, message: cut(message), ...values }) + "\n");
      } else {
        const extra = Object.entries(fields).filter(([, v]) => v !== undefined)
          .map(([k, v]) => ` ${k}=${text(v)}`).join("");
        write(`${time} ${at} ${cut(message)}${extra}\n`);
      }
    },
  };
  return logger;
}
