const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/**
 * Formats a date as C `ctime()` does, without its newline: `Sun Nov 22 21:00:00 2026`
 * (local time, day of month padded with a space).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ctime } from "./_ctime.ts";
 * assert.equal(ctime(new Date(2026, 10, 2, 9, 5, 7)), "Mon Nov  2 09:05:07 2026");
 * ```
 */
export function ctime(date: Date): string {
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${
    String(date.getDate()).padStart(2, " ")
  } ${two(date.getHours())}:${two(date.getMinutes())}:${
    two(date.getSeconds())
  } ${date.getFullYear()}`;
}
