/**
 * Generative fuzzing of the structured dialects in-process: requests from
 * `rpc_inputs.ts` played through the server codec and a whole in-process
 * server, client→server round trips, and (binrpc) record round trips; a
 * failure is shrunk by fast-check to a small case.
 *
 * @module
 */
import fc from "fast-check";
import type { Params, Value } from "../protocol/value.ts";
import { goldenRpcServer } from "./golden_rpc.ts";
import { checkParameters, shrunkFailures } from "./_shrunk.ts";
import type { Violation } from "./invariants.ts";
import {
  binRpcInput,
  binrpcValue,
  jsonRpcInput,
  jsonValue,
  methodName,
  paramsOf,
} from "./rpc_inputs.ts";
import {
  checkRecords,
  checkRpcRequest,
  checkRpcRoundTrip,
  realServerCodec,
  type RpcDialect,
  type ServerCodecFactory,
} from "./rpc_invariants.ts";

/** Options of {@linkcode runRpcGenerative}. */
export interface RpcGenerativeOptions extends RpcDialect {
  runs: number;
  seed: number;
  timeMs?: number;
  /** Golden-case requests to mutate. */
  corpus?: Uint8Array[];
  /** The server codec under test; default the real one. */
  makeCodec?: ServerCodecFactory;
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

/** A shrunk failing case of a structured dialect. */
export interface RpcFailure {
  /** `request`: request bytes; `round-trip`: a call; `records`: binrpc values. */
  kind: "request" | "round-trip" | "records";
  input?: Uint8Array;
  call?: { method: string; params: Params };
  values?: Value[];
  violation: Violation;
  seed: number;
  path: string;
}

/** The outcome of a run. */
export interface RpcGenerativeResult {
  executed: number;
  seconds: number;
  failures: RpcFailure[];
  interrupted: boolean;
}

/**
 * Runs the request, round-trip and (binrpc) record invariants on generated
 * and mutated inputs of one dialect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runRpcGenerative } from "./rpc_generative.ts";
 * const r = await runRpcGenerative({ dialect: "binrpc", runs: 200, seed: 1 });
 * assert.equal(r.failures.length, 0);
 * ```
 */
export async function runRpcGenerative(
  options: RpcGenerativeOptions,
): Promise<RpcGenerativeResult> {
  const d: RpcDialect = { dialect: options.dialect, flavour: options.flavour };
  const makeCodec = options.makeCodec ?? realServerCodec;
  const started = performance.now();
  const deadline = options.timeMs === undefined ? Infinity : started + options.timeMs;
  let executed = 0;
  let interrupted = false;
  const failures: RpcFailure[] = [];
  let shrinking = false;
  const gate = () => {
    if (!shrinking) {
      executed++;
      if (executed % 200 === 0) options.onProgress?.(executed);
    }
    if (options.signal?.aborted) interrupted = true;
    if (!shrinking && (interrupted || performance.now() > deadline)) fc.pre(false);
  };
  const parameters = (runs: number) => checkParameters(runs, options.seed, deadline);
  const binrpc = options.dialect === "binrpc";
  const requestRuns = Math.ceil(options.runs * (binrpc ? 0.6 : 0.7));
  const roundTripRuns = Math.ceil(options.runs * (binrpc ? 0.25 : 0.3));
  const server = goldenRpcServer();
  let lastTurn = performance.now();
  try {
    const inputs = binrpc ? binRpcInput(options.corpus) : jsonRpcInput(options.corpus);
    const requests = await fc.check(
      fc.asyncProperty(inputs, async (bytes) => {
        gate();
        if (performance.now() - lastTurn > 50) {
          await new Promise((r) => setTimeout(r, 0)); // signals get a turn
          lastTurn = performance.now();
        }
        const v = await checkRpcRequest(d, bytes, server, makeCodec);
        if (v) shrinking = true;
        return v === null;
      }),
      parameters(requestRuns),
    );
    failures.push(
      ...await shrunkFailures(
        requests,
        (input) => checkRpcRequest(d, input, server, makeCodec),
        (input) => ({ kind: "request" as const, input }),
      ),
    );
    shrinking = false;
    if (!interrupted && performance.now() < deadline) {
      const calls = fc.record({
        method: methodName,
        params: paramsOf(binrpc ? binrpcValue : jsonValue, !binrpc),
      });
      const roundTrips = fc.check(
        fc.property(calls, (call) => {
          gate();
          const v = checkRpcRoundTrip(d, call.method, call.params, makeCodec);
          if (v) shrinking = true;
          return v === null;
        }),
        parameters(roundTripRuns),
      );
      failures.push(
        ...await shrunkFailures(
          roundTrips,
          (call) => checkRpcRoundTrip(d, call.method, call.params, makeCodec),
          (call) => ({ kind: "round-trip" as const, call }),
        ),
      );
    }
    shrinking = false;
    if (binrpc && !interrupted && performance.now() < deadline) {
      const records = fc.check(
        fc.property(fc.array(binrpcValue, { maxLength: 6 }), (values) => {
          gate();
          const v = checkRecords(values);
          if (v) shrinking = true;
          return v === null;
        }),
        parameters(options.runs - requestRuns - roundTripRuns),
      );
      failures.push(
        ...await shrunkFailures(
          records,
          checkRecords,
          (values) => ({ kind: "records" as const, values }),
        ),
      );
    }
  } finally {
    await server.close();
  }
  return { executed, seconds: (performance.now() - started) / 1000, failures, interrupted };
}
