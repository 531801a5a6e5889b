/**
 * Byte-level helpers of the request parser.
 *
 * @module
 */

/**
 * The 1-based line and column (in code points) of a byte offset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { positionAt } from "./_bytes.ts";
 * assert.deepEqual(positionAt(new TextEncoder().encode(":a:\nx"), 4), { line: 2, column: 1 });
 * ```
 */
export function positionAt(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(offset, bytes.length);
  for (let i = 0; i < stop; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < stop; i++) if ((bytes[i] & 0xc0) !== 0x80) column++;
  // An offset past the end (e.g. the size limit of a cut request) counts whole bytes.
  if (offset > bytes.length) column += offset - bytes.length;
  return { line, column };
}
