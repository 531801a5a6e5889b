/**
 * Inputs for the fuzzer: requests generated from the documented grammar, and
 * mutations of them and of the golden cases (byte flips, truncation, inserted
 * quotes, backslashes, CR, NUL, long lines, deep quoting, invalid UTF-8,
 * sizes around the 65457-byte limit).
 *
 * @module
 */
import fc from "fast-check";
import { concatBytes } from "../bytes.ts";
import { formatRequest } from "../protocol/mi/format_request.ts";
import { MAX_DATAGRAM_SIZE } from "../protocol/mi/limits.ts";
import { argument, commandName } from "../protocol/mi/testing/arbitraries.ts";

const encoder = new TextEncoder();

/** Requests written by `formatRequest` from arbitrary arguments (those it can carry). */
export const grammarRequest: fc.Arbitrary<Uint8Array> = fc
  .tuple(commandName, fc.array(argument, { maxLength: 6 }))
  .map(([command, args]) => {
    const usable = args.filter((a) => {
      try {
        formatRequest(command, [a]);
        return true;
      } catch {
        return false;
      }
    });
    return encoder.encode(formatRequest(command, usable));
  });

const INSERTS = ['"', "\\", "\r", "\0", "::", "\n", '\\"', '""', " ", "\xff", "\xc3"];

function insertBytes(text: string): Uint8Array {
  // Strings here stand for bytes (latin1), so \xff is one invalid UTF-8 byte.
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** One mutation applied to a seed input. */
const mutation: fc.Arbitrary<(bytes: Uint8Array) => Uint8Array> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, b]) => (bytes: Uint8Array) => {
    if (bytes.length === 0) return bytes;
    const out = bytes.slice();
    out[at % out.length] = b;
    return out;
  }),
  fc.nat().map((at) => (bytes: Uint8Array) =>
    bytes.slice(0, bytes.length === 0 ? 0 : at % bytes.length)
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...INSERTS), fc.integer({ min: 1, max: 4 })).map(
    ([at, text, times]) => (bytes: Uint8Array) => {
      const where = bytes.length === 0 ? 0 : at % (bytes.length + 1);
      const piece = insertBytes(text.repeat(times));
      return concatBytes([bytes.subarray(0, where), piece, bytes.subarray(where)]);
    },
  ),
  fc.integer({ min: 100, max: 5000 }).map((n) => (bytes: Uint8Array) => {
    return concatBytes([bytes, encoder.encode("x".repeat(n) + "\n")]);
  }),
  fc.integer({ min: 1, max: 40 }).map((depth) => (bytes: Uint8Array) => {
    const quoted = encoder.encode(`deep::"${'\\"'.repeat(depth)}${"\\".repeat(depth % 3)}"\n`);
    return concatBytes([bytes, quoted]);
  }),
  fc.integer({ min: -3, max: 3 }).map((delta) => (bytes: Uint8Array) => {
    // Pad (or cut) to a size around the limit with one long value line.
    const size = MAX_DATAGRAM_SIZE + delta;
    const out = new Uint8Array(size).fill(0x61);
    out.set(bytes.subarray(0, Math.min(bytes.length, size)));
    out[size - 1] = 0x0a;
    return out;
  }),
);

/** Values of `seeds`, each changed by one to `most` of `mutations`, applied in turn. */
export function mutatedBy<T>(
  seeds: fc.Arbitrary<T>,
  mutations: fc.Arbitrary<(value: T) => T>,
  most: number,
): fc.Arbitrary<T> {
  return fc.tuple(seeds, fc.array(mutations, { minLength: 1, maxLength: most })).map((
    [value, ms],
  ) => ms.reduce((v, m) => m(v), value));
}

/** The generated inputs, and the corpus beside them when there is one. */
export function withCorpus<T>(generated: fc.Arbitrary<T>, corpus: readonly T[]): fc.Arbitrary<T> {
  return corpus.length > 0 ? fc.oneof(generated, fc.constantFrom(...corpus)) : generated;
}

/** Mutations (one to three) of seed inputs. */
export function mutated(seeds: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return mutatedBy(seeds, mutation, 3);
}

/**
 * Everything the fuzzer feeds in: grammar requests, their mutations, and
 * mutations of the given corpus (the golden cases).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import fc from "fast-check";
 * import { fuzzInput } from "./inputs.ts";
 * const inputs = fc.sample(fuzzInput([new TextEncoder().encode(":version:\n")]), 3);
 * assert.equal(inputs.length, 3);
 * assert.ok(inputs.every((b) => b instanceof Uint8Array));
 * ```
 */
export function fuzzInput(corpus: Uint8Array[] = []): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: grammarRequest },
    { weight: 3, arbitrary: mutated(withCorpus(grammarRequest, corpus)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  );
}
