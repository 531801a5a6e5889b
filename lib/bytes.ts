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
