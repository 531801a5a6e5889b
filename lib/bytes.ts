/**
 * Joins byte chunks into one array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "./bytes.ts";
 * assert.deepEqual(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]), Uint8Array.from([1, 2, 3]));
 * ```
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

/**
 * The chunks of one message, gathered up to a limit: {@linkcode push} says
 * `false` (and keeps nothing more) once they add up to more than `max`
 * bytes; {@linkcode bytes} joins what was kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BoundedChunks } from "./bytes.ts";
 * const body = new BoundedChunks(3);
 * assert.equal(body.push(new Uint8Array([1, 2])), true);
 * assert.deepEqual(body.bytes(), Uint8Array.from([1, 2]));
 * assert.equal(body.push(new Uint8Array([3, 4])), false);
 * ```
 */
export class BoundedChunks {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Keeps a chunk; `false` when the total is now over the limit (the chunk is not kept). */
  push(chunk: Uint8Array): boolean {
    this.size += chunk.length;
    if (this.size > this.max) return false;
    this.chunks.push(chunk);
    return true;
  }

  /** The chunks kept, joined. */
  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/**
 * The offset of the first byte in `[from, to)` that is not part of valid
 * UTF-8, or -1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invalidUtf8Offset } from "./bytes.ts";
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
