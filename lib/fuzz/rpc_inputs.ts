/**
 * Inputs for fuzzing the structured dialects: JSON-RPC requests (valid
 * envelopes and their mutations: wrong types, missing members, case changes,
 * duplicates, trailing bytes, deep nesting, big ids, unicode escapes,
 * truncation) and binrpc packets (valid requests written by the client codec
 * from random values, and mutations: header sizes, bad magic, bad lengths,
 * truncated records, wrong record types).
 *
 * @module
 */
import fc from "fast-check";
import { concatBytes } from "../bytes.ts";
import { createBinRpcClientCodec } from "../protocol/binrpc/create_binrpc_client_codec.ts";
import { analyzeJsonRpcRequest } from "../protocol/jsonrpc/analyze_json_rpc_request.ts";
import { kamailioIdHazard } from "../protocol/jsonrpc/kamailio_id_hazard.ts";
import { Members, type Params, type Value } from "../protocol/value.ts";
import { mutatedBy, withCorpus } from "./inputs.ts";

const encoder = new TextEncoder();

/** Method names: those the golden servers serve, and any other. */
export const methodName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "version",
    "cache_store",
    "cache_fetch",
    "core.echo",
    "core.version",
    "core.printi",
    "core.prints",
    "system.methodHelp",
    "which",
  ),
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.]{0,20}$/),
);

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

/** JSON-RPC values that survive a round trip through JSON (no bytes, no forced doubles). */
export const jsonValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    int32,
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) =>
      !Number.isInteger(d) && !Object.is(d, -0)
    ),
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("v"), { maxKeys: 4 })
      .filter((o) => !Object.hasOwn(o, "__proto__")),
  ),
})).v;

/** binrpc values in the forms `readRecords` gives back (ints, ×1000 doubles, strings without NUL, bytes, structs). */
export const binrpcValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    int32,
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).filter((k) => k % 1000 !== 0).map((k) =>
      k / 1000
    ),
    fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !s.includes("\0")),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.array(
      fc.tuple(
        fc.string({ maxLength: 6 }).filter((s) => !s.includes("\0")),
        tie("v"),
      ),
      { maxLength: 4 },
    ).map((entries) => new Members(entries)),
  ),
})).v;

/** Parameters of a call: positional values, or named ones (JSON-RPC only). */
export function paramsOf(value: fc.Arbitrary<Value>, named: boolean): fc.Arbitrary<Params> {
  const positional = fc.array(value, { maxLength: 5 }).map((values) =>
    ({ kind: "positional", values }) as Params
  );
  if (!named) return positional;
  return fc.oneof(
    positional,
    fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), value), {
      maxLength: 4,
      selector: ([k]) => k,
    }).map((entries) => ({ kind: "named", values: new Members(entries) }) as Params),
  );
}

// ---- JSON-RPC ----

type Member = [name: string, text: string];

const idText = fc.oneof(
  int32.map(String),
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(
    "null",
    "1.5",
    "2147483648",
    "-2147483649",
    "1e300",
    "99999999999999999999",
    "0x10",
    "true",
    "{}",
    "[]",
  ),
);

/** A valid envelope, as members with their JSON text. */
const envelope: fc.Arbitrary<Member[]> = fc.tuple(
  methodName,
  fc.option(paramsOf(jsonValue, true), { nil: undefined }),
  fc.option(idText, { nil: undefined, freq: 8 }),
).map(([method, params, id]) => {
  const members: Member[] = [["jsonrpc", '"2.0"'], ["method", JSON.stringify(method)]];
  if (params) {
    members.push([
      "params",
      JSON.stringify(
        params.kind === "positional" ? params.values : Object.fromEntries(params.values.entries),
      ),
    ]);
  }
  if (id !== undefined) members.push(["id", id]);
  return members;
});

const WRONG = ["5", "true", "null", "[]", "{}", '"x"', '""', "2.0", '"2.0"', '["2.0"]'];

const unicodeEscape = fc.constantFrom(
  "\\u00e9",
  "\\ud83d\\ude00",
  "\\ud800",
  "\\udc00x",
  "\\u0000",
  "\\u001f",
  "\\u20ac",
  "\\uZZZZ",
  "\\q",
);

/** One mutation of an envelope's members. */
const memberMutation: fc.Arbitrary<(m: Member[]) => Member[]> = fc.oneof(
  // A member of another type.
  fc.tuple(fc.nat(), fc.constantFrom(...WRONG)).map(([at, text]) => (m: Member[]) =>
    m.length === 0 ? m : m.map((x, i): Member => (i === at % m.length ? [x[0], text] : x))
  ),
  // A member missing.
  fc.nat().map((at) => (m: Member[]) => m.filter((_, i) => i !== at % Math.max(1, m.length))),
  // A name in another case.
  fc.tuple(fc.nat(), fc.boolean()).map(([at, upper]) => (m: Member[]) =>
    m.map((x, i): Member =>
      i === at % Math.max(1, m.length)
        ? [upper ? x[0].toUpperCase() : x[0][0].toUpperCase() + x[0].slice(1), x[1]]
        : x
    )
  ),
  // A duplicate, with another value.
  fc.tuple(fc.nat(), fc.constantFrom(...WRONG)).map(([at, text]) => (m: Member[]) =>
    m.length === 0 ? m : [...m, [m[at % m.length][0], text] as Member]
  ),
  // Deep nesting in params.
  fc.integer({ min: 1, max: 300 }).map((depth) => (m: Member[]): Member[] => [
    ...m.filter(([n]) => n !== "params"),
    ["params", "[".repeat(depth) + "]".repeat(depth)],
  ]),
  // A big or odd id.
  fc.constantFrom("1e400", "-0", "18446744073709551616", "0.0000001", "1E5", "-1.5e-3").map(
    (id) => (m: Member[]): Member[] => [...m.filter(([n]) => n !== "id"), ["id", id]],
  ),
  // Unicode escapes in a string member.
  fc.tuple(fc.nat(), unicodeEscape).map(([at, esc]) => (m: Member[]) =>
    m.map((x, i): Member =>
      i === at % Math.max(1, m.length) && x[1].startsWith('"')
        ? [x[0], `"${esc}${x[1].slice(1)}`]
        : x
    )
  ),
);

/** One mutation of the written bytes. */
const textMutation: fc.Arbitrary<(s: string) => string> = fc.oneof(
  // Trailing bytes.
  fc.constantFrom(" ", "\n", "}", "garbage", '{"a":1}', "\0", ",").map((t) => (s: string) => s + t),
  // Truncation.
  fc.nat().map((at) => (s: string) => s.slice(0, s.length === 0 ? 0 : at % s.length)),
  // A byte replaced.
  fc.tuple(fc.nat(), fc.constantFrom('"', "\\", "{", "}", "[", ",", ":", "\0", "\xff", " "))
    .map(([at, c]) => (s: string) => {
      if (s.length === 0) return s;
      const i = at % s.length;
      return s.slice(0, i) + c + s.slice(i + 1);
    }),
  // Wrapped in a batch, or a bare value.
  fc.constantFrom("batch", "string").map((how) => (s: string) =>
    how === "batch" ? `[${s}]` : JSON.stringify(s)
  ),
);

function write(members: Member[]): string {
  return `{${members.map(([n, t]) => `${JSON.stringify(n)}:${t}`).join(",")}}`;
}

/** Strings stand for bytes here only where they hold \xff: that one is written as the byte. */
function toBytes(text: string): Uint8Array {
  const bytes = encoder.encode(text.replaceAll("\xff", "\uFFFF"));
  // U+FFFF is EF BF BF in UTF-8: turn it into one invalid 0xFF byte.
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbf) {
      out.push(0xff);
      i += 2;
    } else out.push(bytes[i]);
  }
  return Uint8Array.from(out);
}

/**
 * What crashes Kamailio 5.6 or leaves it silent: what `parse --flavour
 * kamailio` calls an error for that reason (a `"jsonrpc"` or `"method"`
 * that is not a string, SIGSEGV in `jsonrpc_exec_ex`; an `id` that
 * overflows its number buffer or is echoed as `inf`,
 * {@linkcode kamailioIdHazard}). Such inputs
 * are never sent to a real Kamailio. Ids in requests the analyzer cannot
 * read are judged by the same rule.
 */
export function crashesKamailio(bytes: Uint8Array): boolean {
  const { errors, call } = analyzeJsonRpcRequest(bytes, { flavour: "kamailio" });
  if (errors.some((e) => /crash/i.test(e.message))) return true;
  if (typeof call?.id === "number" && kamailioIdHazard(call.id) !== undefined) return true;
  const text = new TextDecoder("latin1").decode(bytes);
  for (const m of text.matchAll(/"id"\s*:\s*(-?[0-9][0-9.eE+-]*)/gi)) {
    if (kamailioIdHazard(Number.parseFloat(m[1])) !== undefined) return true;
  }
  return false;
}

/**
 * JSON-RPC request datagrams: valid envelopes, their mutations, mutations of
 * the corpus, and random bytes. With `safeForKamailio`, nothing that crashes
 * Kamailio 5.6 is generated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import fc from "fast-check";
 * import { jsonRpcInput } from "./rpc_inputs.ts";
 * const inputs = fc.sample(jsonRpcInput(), 3);
 * assert.equal(inputs.length, 3);
 * assert.ok(inputs.every((b) => b instanceof Uint8Array));
 * ```
 */
export function jsonRpcInput(
  corpus: Uint8Array[] = [],
  options: { safeForKamailio?: boolean } = {},
): fc.Arbitrary<Uint8Array> {
  const mutatedEnvelope = fc.tuple(
    envelope,
    fc.array(memberMutation, { maxLength: 2 }),
    fc.array(textMutation, { maxLength: 2 }),
  ).map(([m, ms, ts]) => toBytes(ts.reduce((s, t) => t(s), write(ms.reduce((x, f) => f(x), m)))));
  const decoder = new TextDecoder("latin1");
  const seeds = corpus.length > 0
    ? fc.tuple(fc.constantFrom(...corpus), fc.array(textMutation, { maxLength: 2 })).map((
      [b, ts],
    ) => toBytes(ts.reduce((s, t) => t(s), decoder.decode(b))))
    : null;
  const all = fc.oneof(
    { weight: 3, arbitrary: envelope.map((m) => encoder.encode(write(m))) },
    { weight: 4, arbitrary: mutatedEnvelope },
    ...(seeds ? [{ weight: 1, arbitrary: seeds }] : []),
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }) },
  );
  return options.safeForKamailio ? all.filter((b) => !crashesKamailio(b)) : all;
}

// ---- binrpc ----

const binrpcClient = createBinRpcClientCodec();

/** A valid binrpc request: a method and random values, written by the client codec. */
export const binRpcRequest: fc.Arbitrary<Uint8Array> = fc.tuple(
  methodName,
  paramsOf(binrpcValue, false),
  fc.oneof(
    fc.constantFrom(0, 1, 0xff, 0x100, 0xffff, 0x10000, 0xffffff, 0x1000000),
    fc.nat({ max: 2 ** 32 - 1 }),
  ),
).map(([method, params, cookie]) => binrpcClient.encodeRequest(method, params, cookie));

/** One mutation of a binrpc packet. */
const packetMutation: fc.Arbitrary<(b: Uint8Array) => Uint8Array> = fc.oneof(
  // Bad magic or version (byte 0).
  fc.integer({ min: 0, max: 255 }).map((v) => (b: Uint8Array) => set(b, 0, v)),
  // Other header sizes or type (byte 1: type, length size, cookie size).
  fc.integer({ min: 0, max: 255 }).map((v) => (b: Uint8Array) => set(b, 1, v)),
  // A bad length: the first length byte changed.
  fc.integer({ min: 0, max: 255 }).map((v) => (b: Uint8Array) => set(b, 2, v)),
  // Truncated.
  fc.nat().map((at) => (b: Uint8Array) => b.slice(0, b.length === 0 ? 0 : at % b.length)),
  // A record of another type: the low nibble of a byte in the body.
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 15 })).map(([at, t]) => (b: Uint8Array) => {
    if (b.length <= 4) return b;
    const i = 4 + (at % (b.length - 4));
    return set(b, i, (b[i] & 0xf0) | t);
  }),
  // A record's size nibble changed.
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 15 })).map(([at, s]) => (b: Uint8Array) => {
    if (b.length <= 4) return b;
    const i = 4 + (at % (b.length - 4));
    return set(b, i, (b[i] & 0x0f) | (s << 4));
  }),
  // Trailing bytes.
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((t) => (b: Uint8Array) => concatBytes([b, t])),
);

function set(b: Uint8Array, i: number, v: number): Uint8Array {
  if (i >= b.length) return b;
  const out = b.slice();
  out[i] = v;
  return out;
}

/**
 * binrpc request packets: valid requests, their mutations, mutations of the
 * corpus, and random bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import fc from "fast-check";
 * import { binRpcInput } from "./rpc_inputs.ts";
 * const inputs = fc.sample(binRpcInput(), 3);
 * assert.equal(inputs.length, 3);
 * assert.ok(inputs.every((b) => b instanceof Uint8Array));
 * ```
 */
export function binRpcInput(corpus: Uint8Array[] = []): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 3, arbitrary: binRpcRequest },
    { weight: 4, arbitrary: mutatedBy(withCorpus(binRpcRequest, corpus), packetMutation, 2) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }) },
  );
}
