/**
 * Inputs for fuzzing a server of ctl's old FIFO protocol (`ctlfifo`):
 * well-formed requests, their mutations at the bytes that matter to its
 * framing (`:`, line ends, the reply name's `.`, `/`, `\`), mutations of a
 * corpus, and random bytes.
 *
 * @module
 */
import fc from "fast-check";
import { methodName } from "./rpc_inputs.ts";
import { mutatedBy, withCorpus } from "./inputs.ts";

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** A parameter line: text without a line end, sometimes with escapes. */
const paramLine = fc.oneof(
  fc.stringMatching(/^[ -~]{1,24}$/).filter((s) => s.trim() !== ""),
  fc.constantFrom("0", "-1", "0x10", "010", "abc", "a\\nb", "a\\qb", "k:v,k2:v2", "\\"),
);

/** A well-formed request: `:METHOD:NAME`, parameter lines, an empty line (methods from `methods`, or any). */
export const ctlFifoRequest = (methods?: readonly string[]): fc.Arbitrary<string> =>
  fc.tuple(
    methods && methods.length > 0 ? fc.constantFrom(...methods) : methodName,
    fc.constantFrom("", "", "reply", "r.x", "a/b", "a\\b"),
    fc.array(paramLine, { maxLength: 4 }),
  ).map(([method, name, params]) =>
    `:${method}:${name}\n${params.map((p) => `${p}\n`).join("")}\n`
  );

/** One change to a request's text. */
const mutation: fc.Arbitrary<(s: string) => string> = fc.oneof(
  // Cut anywhere.
  fc.nat().map((at) => (s: string) => s.slice(0, s.length === 0 ? 0 : at % s.length)),
  // A framing byte put in.
  fc.tuple(fc.nat(), fc.constantFrom(":", "\n", "\r", "\r\n", "\n\n", "\0", ".", "/", "\\")).map(
    ([at, ch]) => (s: string) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      return s.slice(0, i) + ch + s.slice(i);
    },
  ),
  // A byte taken out.
  fc.nat().map((at) => (s: string) => {
    if (s.length === 0) return s;
    const i = at % s.length;
    return s.slice(0, i) + s.slice(i + 1);
  }),
  // Two requests at once, or trailing bytes.
  fc.constantFrom((s: string) => s + s, (s: string) => `${s}garbage`),
);

/**
 * ctlfifo request bytes for live fuzzing and `fuzz --diff`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import fc from "fast-check";
 * import { ctlFifoInput } from "./ctlfifo_inputs.ts";
 * assert.ok(fc.sample(ctlFifoInput(), 3).every((b) => b instanceof Uint8Array));
 * ```
 */
export function ctlFifoInput(
  corpus: Uint8Array[] = [],
  methods?: readonly string[],
): fc.Arbitrary<Uint8Array> {
  const request = ctlFifoRequest(methods);
  const seeds = withCorpus(request, corpus.map((b) => latin1.decode(b)));
  const toBytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  return fc.oneof(
    { weight: 3, arbitrary: request.map((s) => encoder.encode(s)) },
    { weight: 4, arbitrary: mutatedBy(seeds, mutation, 2).map(toBytes) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }) },
  );
}
