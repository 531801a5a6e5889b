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

/**
 * The offset of the first byte in `[from, to)` that is not part of valid
 * UTF-8, or -1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invalidUtf8Offset } from "./_bytes.ts";
 * assert.equal(invalidUtf8Offset(new Uint8Array([0x61, 0xff]), 0, 2), 1);
 * ```
 */
export function invalidUtf8Offset(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (i + k >= to || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
