import { readFileSync } from "node:fs";

/**
 * The name of a user or group id from `/etc/passwd` or `/etc/group`, or the
 * number when it has none (or the database cannot be read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameOf } from "./names.ts";
 * assert.equal(nameOf("passwd", 0), "root");
 * ```
 */
export function nameOf(kind: "passwd" | "group", id: number): string {
  try {
    for (const line of readFileSync(`/etc/${kind}`, "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length >= 3 && Number(f[2]) === id) return f[0];
    }
  } catch {
    // No database: the number.
  }
  return String(id);
}
