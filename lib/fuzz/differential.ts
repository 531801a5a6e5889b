/**
 * Differential fuzzing: the same generated requests go to two servers (ours
 * and a reference: a real OpenSIPS 2.4 on text MI, a real Kamailio on
 * binrpc or ctl's FIFO protocol), and every difference in verdict, parsed
 * arguments (read back through `cache_store`/`cache_fetch` on MI,
 * `core.echo` on binrpc) and reply bytes is reported; the first one is
 * shrunk by fast-check. On ctlfifo only the framing is compared: the status
 * line and whether values follow (Kamailio 5.6.3 corrupts the values there).
 *
 * @module
 */
import fc from "fast-check";
import { call, type CallReply, type CallRequest } from "../client/call.ts";
import { errorCodeOf } from "../errors.ts";
import type { ClientCodec, DialectName } from "../protocol/dialect.ts";
import { clientCodec } from "../protocol/dialects.ts";
import type { Value } from "../protocol/value.ts";
import type { Address, Transport } from "../transport/types.ts";
import { fuzzInput } from "./inputs.ts";
import { ctlFifoInput } from "./ctlfifo_inputs.ts";
import { maxDatagram } from "./live.ts";

/** One generated probe of both servers. */
export type DiffCase =
  /** Raw request bytes, compared reply for reply (MI). */
  | { kind: "raw"; bytes: Uint8Array }
  /** An MI argument line stored with `cache_store` and read back with `cache_fetch`. */
  | { kind: "cache"; line: string }
  /** A structured call (binrpc, JSON-RPC). */
  | { kind: "call"; method: string; params: readonly Value[] };

/** How a server answered one request. */
export interface Verdict {
  /** `ok`, `error CODE`, `no reply`, `unreadable reply`, or a transport error code. */
  verdict: string;
  bytes: Uint8Array | null;
  /** The reply's value (structured dialects) or the fetched value (`cache` cases). */
  value?: unknown;
}

/** One difference between the two servers. */
export interface Difference {
  case: DiffCase;
  /** What differs: `verdict`, `arguments` (the value read back) or `bytes`. */
  what: "verdict" | "arguments" | "bytes";
  ours: Verdict;
  reference: Verdict;
}

/** Options of {@linkcode runDifferential}. */
export interface DifferentialOptions {
  ours: Address;
  reference: Address;
  transport: Transport;
  dialect: DialectName;
  runs: number;
  timeMs: number;
  timeoutMs: number;
  seed: number;
  /** Structured dialects: the methods to call (default `core.echo` and one that neither has). */
  methods?: string[];
  /** MI: golden-case bytes to mutate. */
  corpus?: Uint8Array[];
  /** MI: the servers' reply indent. */
  indent?: string;
  signal?: AbortSignal;
}

/** What a differential run found. */
export interface DifferentialResult {
  executed: number;
  seconds: number;
  /** Every difference seen while generating (before shrinking), at most 100. */
  differences: Difference[];
  /** The first difference, shrunk; null when none was found. */
  shrunk: Difference | null;
  /** Cases not sent: larger than the transport carries. */
  notSent: number;
  interrupted: boolean;
}

const MAX_KEPT = 100;

/** A name no server has: the verdicts for an unknown method are compared too. */
export const UNKNOWN_METHOD = "midgram.no_such_method";

/** ctlfifo's default methods: served alike by Kamailio's core and midgram, and one by neither. */
const CTLFIFO_METHODS = [
  "core.version",
  "core.echo",
  "system.methodHelp",
  "core.uptime",
  UNKNOWN_METHOD,
];

function caseArbitrary(options: DifferentialOptions): fc.Arbitrary<DiffCase> {
  if (options.dialect === "ctlfifo") {
    return ctlFifoInput(options.corpus, options.methods ?? CTLFIFO_METHODS).map((
      bytes,
    ): DiffCase => ({ kind: "raw", bytes }));
  }
  if (options.dialect === "mi") {
    const line = fc.string({
      unit: fc.oneof(
        fc.constantFrom(":", "::", '"', "\\", " ", "\t", "\r", "é", "a", "b", "1"),
        fc.string({ minLength: 1, maxLength: 3 }),
      ),
      maxLength: 12,
    }).filter((s) => !s.includes("\n") && !s.includes("\0"));
    return fc.oneof(
      fuzzInput(options.corpus).map((bytes): DiffCase => ({ kind: "raw", bytes })),
      line.map((l): DiffCase => ({ kind: "cache", line: l })),
    );
  }
  const methods = options.methods ?? ["core.echo", UNKNOWN_METHOD];
  const scalar: fc.Arbitrary<Value> = fc.oneof(
    fc.string({ maxLength: 16 }).filter((s) => !s.includes("\0")),
    fc.integer({ min: -2147483648, max: 2147483647 }),
  );
  return fc.record({
    kind: fc.constant("call" as const),
    method: fc.constantFrom(...methods),
    params: fc.array(scalar, { maxLength: 4 }),
  });
}

const enc = new TextEncoder();

async function ask(
  to: Address,
  request: CallRequest,
  codec: ClientCodec,
  options: DifferentialOptions,
): Promise<Verdict> {
  let reply: CallReply;
  try {
    reply = await call(to, request, {
      codec,
      transport: options.transport,
      timeoutMs: options.timeoutMs,
      allowOversize: true,
    });
  } catch (error) {
    const code = errorCodeOf(error);
    return {
      verdict: code === "timeout" ? "no reply" : `failed: ${code ?? String(error)}`,
      bytes: null,
    };
  }
  const outcome = reply.outcome;
  if (outcome === null) return { verdict: "unreadable reply", bytes: reply.bytes };
  if (outcome.kind === "error") return { verdict: `error ${outcome.code}`, bytes: reply.bytes };
  return { verdict: "ok", bytes: reply.bytes, value: outcome.value };
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** ctlfifo: a reply as the framing says it: its status line, and whether values follow. */
function framingOf(v: Verdict): Verdict {
  if (v.bytes === null) return v;
  const eol = v.bytes.indexOf(0x0a);
  if (eol < 0) return { verdict: "unreadable reply", bytes: null };
  return {
    verdict: new TextDecoder().decode(v.bytes.subarray(0, eol)),
    bytes: null,
    value: v.bytes.length > eol + 1 ? "values" : "no values",
  };
}

function compare(c: DiffCase, ours: Verdict, reference: Verdict): Difference | null {
  if (ours.verdict !== reference.verdict) return { case: c, what: "verdict", ours, reference };
  if (JSON.stringify(ours.value) !== JSON.stringify(reference.value)) {
    return { case: c, what: "arguments", ours, reference };
  }
  if (!sameBytes(ours.bytes, reference.bytes)) return { case: c, what: "bytes", ours, reference };
  return null;
}

/** The requests of a case: raw bytes, or one call (for `cache`, the store then the fetch). */
export function caseRequests(c: DiffCase): CallRequest[] {
  switch (c.kind) {
    case "raw":
      return [c.bytes];
    case "cache":
      return [
        enc.encode(`:cache_store:\nlocal\nmidgram_diff\n${c.line}\n`),
        enc.encode(":cache_fetch:\nlocal\nmidgram_diff\n"),
      ];
    case "call":
      return [{ method: c.method, params: { kind: "positional", values: c.params } }];
  }
}

/** The codec with one fixed token (cookie, id), so both replies can be compared byte for byte. */
function withOneToken(codec: ClientCodec): ClientCodec {
  const token = codec.newToken();
  return Object.create(codec, { newToken: { value: () => token } });
}

function sizeOf(request: CallRequest, codec: ClientCodec): number {
  if (request instanceof Uint8Array) return request.length;
  try {
    return codec.encodeRequest(request.method, request.params, codec.newToken()).length;
  } catch {
    return Infinity; // unrepresentable: not sent
  }
}

/**
 * Sends the same generated requests to two servers and reports how they differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runDifferential } from "./differential.ts";
 * import { createServerWith } from "../server/mod.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * const a = createServerWith({ transport, version: "same" });
 * const b = createServerWith({ transport, version: "same" });
 * const binrpc = { dialect: "binrpc", flavour: "kamailio" } as const;
 * const ours = await a.listen({ kind: "unix", path: "/ours.sock" }, binrpc);
 * const reference = await b.listen({ kind: "unix", path: "/reference.sock" }, binrpc);
 * const result = await runDifferential({
 *   ours, reference, transport, dialect: "binrpc", runs: 20, timeMs: 5000, timeoutMs: 1000, seed: 1,
 * });
 * assert.deepEqual(result.differences, []);
 * await a.close();
 * await b.close();
 * ```
 */
export async function runDifferential(options: DifferentialOptions): Promise<DifferentialResult> {
  const codec = clientCodec(options.dialect, { indent: options.indent });
  const started = performance.now();
  const deadline = started + options.timeMs;
  const carries = Math.min(maxDatagram(options.ours), maxDatagram(options.reference));
  const result: DifferentialResult = {
    executed: 0,
    seconds: 0,
    differences: [],
    shrunk: null,
    notSent: 0,
    interrupted: false,
  };
  let shrinking = false;
  /** How both servers answer a case: their first difference, or null (also when it was not sent). */
  const probe = async (c: DiffCase): Promise<Difference | null> => {
    const requests = caseRequests(c);
    const sizes = requests.map((r) => sizeOf(r, codec));
    if (sizes.some((n) => n === 0)) return null; // an empty datagram gets no reply, by design
    if (sizes.some((n) => n > carries)) {
      if (!shrinking) result.notSent++;
      return null;
    }
    let last: Difference | null = null;
    for (const request of requests) {
      const pair = withOneToken(codec);
      const [ours, reference] = await Promise.all([
        ask(options.ours, request, pair, options),
        ask(options.reference, request, pair, options),
      ]);
      if (options.dialect === "ctlfifo") {
        const [o, r] = [framingOf(ours), framingOf(reference)];
        last = compare(c, o, r);
        if (last !== null) return last;
        continue;
      }
      if (c.kind === "cache") {
        // The store's verdict, then the value read back: the arguments as each server parsed them.
        ours.value = reference.value = undefined;
        if (request === requests[1]) {
          ours.value = ours.bytes && new TextDecoder().decode(ours.bytes);
          reference.value = reference.bytes && new TextDecoder().decode(reference.bytes);
        }
      }
      last = compare(c, ours, reference);
      if (last !== null) return last;
    }
    return last;
  };
  // Pass 1: every difference, none shrunk (the run goes on after one).
  let firstAt = -1;
  await fc.check(
    fc.asyncProperty(caseArbitrary(options), async (c) => {
      if (options.signal?.aborted) result.interrupted = true;
      if (result.interrupted || performance.now() > deadline) fc.pre(false);
      const index = result.executed++;
      const difference = await probe(c);
      if (difference !== null) {
        if (firstAt < 0) firstAt = index;
        if (result.differences.length < MAX_KEPT) result.differences.push(difference);
      }
      return true;
    }),
    {
      numRuns: options.runs,
      seed: options.seed,
      interruptAfterTimeLimit: options.timeMs,
      markInterruptAsFailure: false,
    },
  );
  // Pass 2: the same seed replays the same cases up to the first difference, which
  // fast-check then shrinks (asking both servers again for every candidate).
  if (firstAt >= 0 && !options.signal?.aborted) {
    shrinking = true;
    const outcome = await fc.check(
      fc.asyncProperty(caseArbitrary(options), async (c) => {
        if (options.signal?.aborted) return true;
        return (await probe(c)) === null;
      }),
      {
        numRuns: firstAt + 1,
        seed: options.seed,
        interruptAfterTimeLimit: Math.max(10_000, options.timeMs),
        markInterruptAsFailure: false,
      },
    );
    if (outcome.failed && outcome.counterexample) {
      result.shrunk = await probe(outcome.counterexample[0]);
    }
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
