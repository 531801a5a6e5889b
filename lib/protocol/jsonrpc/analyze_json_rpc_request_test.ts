import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeJsonRpcRequest } from "./analyze_json_rpc_request.ts";

const b = (s: string) => new TextEncoder().encode(s);
const codes = (s: string, flavour: "opensips" | "kamailio" = "opensips") => {
  const a = analyzeJsonRpcRequest(b(s), { flavour });
  return {
    errors: a.errors.map((d) => d.code),
    warnings: a.warnings.map((d) => d.code),
    call: a.call,
  };
};

test("analyzeJsonRpcRequest() gives the call of a valid request", () => {
  const a = codes(
    '{"jsonrpc":"2.0","method":"get_statistics","params":{"statistics":["core:"]},"id":1}',
  );
  assert.deepEqual(a.errors, []);
  assert.equal(a.call?.method, "get_statistics");
  assert.equal(a.call?.params.kind, "named");
  assert.equal(a.call?.id, 1);
});

test("analyzeJsonRpcRequest() positions a parse error", () => {
  const a = analyzeJsonRpcRequest(b('{"jsonrpc":"2.0",\n  "method":"x",,}'), {
    flavour: "opensips",
  });
  assert.equal(a.errors[0].code, "parse-error");
  assert.deepEqual([a.errors[0].line, a.errors[0].column, a.errors[0].offset], [2, 16, 33]);
  assert.equal(a.call, undefined);
});

test("analyzeJsonRpcRequest() reports what OpenSIPS answers with -32600 or a raw 500", () => {
  assert.deepEqual(codes('{"jsonrpc":"1.0","method":"x","id":1}').errors, ["invalid-jsonrpc"]);
  assert.deepEqual(codes('{"jsonrpc":"2.0","method":5,"id":1}').errors, ["invalid-method"]);
  assert.deepEqual(codes('{"jsonrpc":"2.0","method":"x","params":1,"id":1}').errors, [
    "invalid-params",
  ]);
  assert.deepEqual(codes('{"jsonrpc":"2.0","method":"x","id":true}').errors, ["invalid-id"]);
  assert.deepEqual(codes('"x"').errors, ["not-an-object"]);
  assert.deepEqual(codes("").errors, ["empty-request"]);
});

test("analyzeJsonRpcRequest() warns of notifications, batches on Kamailio, and surprises", () => {
  assert.deepEqual(codes('{"jsonrpc":"2.0","method":"x"}').warnings, ["notification"]);
  assert.deepEqual(codes('[{"jsonrpc":"2.0","method":"x","id":1}]', "kamailio").warnings, [
    "batch",
  ]);
  assert.deepEqual(codes('[{"jsonrpc":"2.0","method":"x","id":1}]').errors, ["batch"]);
  assert.deepEqual(
    codes('{"jsonrpc":"2.0","Method":"x","method":"y","id":1.5} tail').warnings,
    ["trailing-bytes", "member-name-case", "duplicate-member", "id-changed"],
  );
  assert.deepEqual(codes('{"jsonrpc":"2.0","method":"x","id":0x10}').warnings, [
    "non-standard-number",
  ]);
});

test("analyzeJsonRpcRequest() calls a non-string 'jsonrpc' an error that crashes Kamailio", () => {
  const a = analyzeJsonRpcRequest(b('{"jsonrpc":2.0,"method":"x","id":1}'), {
    flavour: "kamailio",
  });
  assert.match(a.errors[0].message, /crashes/);
});
