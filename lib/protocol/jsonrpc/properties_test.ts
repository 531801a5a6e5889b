import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createJsonRpcServerCodec } from "./create_json_rpc_server_codec.ts";
import { createJsonRpcClientCodec } from "./create_json_rpc_client_codec.ts";
import { analyzeJsonRpcRequest } from "./analyze_json_rpc_request.ts";
import { MidgramError } from "../../errors.ts";
import { Members, type Params, type Value } from "../value.ts";

const RUNS = { numRuns: 500 };
const any = () => ({ noInput: false });
const opensips = createJsonRpcServerCodec({ flavour: "opensips" });
const kamailio = createJsonRpcServerCodec({ flavour: "kamailio" });

/** Bytes that are often almost JSON-RPC. */
const requestish = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.json().map((s) => new TextEncoder().encode(s)),
  fc.tuple(fc.json(), fc.constantFrom("", " x", "\0", "}", "]")).map(([j, tail]) =>
    new TextEncoder().encode(`{"jsonrpc":"2.0","method":"m","params":${j},"id":${j}}${tail}`)
  ),
  fc.string({
    unit: fc.constantFrom(...'{}[]":,\\u0123456789.eE-+ truenlfas\x01\n'.split("")),
    maxLength: 80,
  })
    .map((s) => new TextEncoder().encode(s)),
);

test("decode() never throws and gives a call or an answer, for any bytes", () => {
  fc.assert(
    fc.property(requestish, (bytes) => {
      for (const codec of [opensips, kamailio]) {
        const d = codec.decode(bytes, any);
        assert.ok(d.kind === "call" || d.kind === "answer");
        if (d.kind === "call") {
          codec.encodeResult(d.call, d.call.params.values as Value);
          codec.encodeFault(d.call, { kind: "failed", message: "x" });
        }
      }
      for (const flavour of ["opensips", "kamailio"] as const) {
        analyzeJsonRpcRequest(bytes, { flavour });
      }
    }),
    RUNS,
  );
});

test("the client codec's replies are read back by decodeReply(), or refused with its own errors", () => {
  const client = createJsonRpcClientCodec();
  fc.assert(
    fc.property(requestish, (bytes) => {
      try {
        client.decodeReply(bytes, "i");
      } catch (e) {
        if (!(e instanceof MidgramError)) throw e;
      }
    }),
    RUNS,
  );
});

const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes("\0"));
const leaf: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2147483648, max: 2147483647 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  text,
);
const value: fc.Arbitrary<Value> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.array(fc.tuple(text, tie("v")), { maxLength: 4 }).map((e) =>
      new Members(e as [string, Value][])
    ),
  ),
})).v as fc.Arbitrary<Value>;
const params: fc.Arbitrary<Params> = fc.oneof(
  fc.array(value, { minLength: 1, maxLength: 4 }).map((values) => ({
    kind: "positional" as const,
    values,
  })),
  fc.array(fc.tuple(text, value), { minLength: 1, maxLength: 4 }).map((e) => ({
    kind: "named" as const,
    values: new Members(e),
  })),
);

test("client encodeRequest() → server decode() gives back the method and params", () => {
  const client = createJsonRpcClientCodec();
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes("\0")),
      params,
      (method, p) => {
        const token = client.newToken();
        const d = opensips.decode(client.encodeRequest(method, p, token), any);
        assert.equal(d.kind, "call");
        if (d.kind !== "call") return;
        assert.equal(d.call.method, wellFormed(method));
        assert.deepEqual(normal(d.call.params.values), normal(p.values));
        assert.equal(d.call.params.kind, p.kind);
      },
    ),
    RUNS,
  );
});

const wellFormed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

/** Plain data for comparison (lone surrogates are sent as U+FFFD). */
function normal(v: unknown): unknown {
  if (typeof v === "string") return wellFormed(v);
  if (Array.isArray(v)) return v.map(normal);
  if (v instanceof Members) return v.entries.map(([n, x]) => [wellFormed(n), normal(x)]);
  return v;
}
