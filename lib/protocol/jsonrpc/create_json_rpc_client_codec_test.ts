import { test } from "node:test";
import assert from "node:assert/strict";
import { createJsonRpcClientCodec } from "./create_json_rpc_client_codec.ts";
import { MidgramError } from "../../errors.ts";
import { Double, Members, NO_PARAMS } from "../value.ts";

const b = (s: string) => new TextEncoder().encode(s);
const t = (u: Uint8Array) => new TextDecoder().decode(u);
const codec = createJsonRpcClientCodec();
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof MidgramError ? e.code : "other";
  }
  return "none";
};

test("createJsonRpcClientCodec() makes distinct string ids", () => {
  const a = codec.newToken();
  const c = codec.newToken();
  assert.equal(typeof a, "string");
  assert.notEqual(a, c);
});

test("createJsonRpcClientCodec() writes params as an array, an object, or [] for none", () => {
  assert.equal(
    t(codec.encodeRequest("version", NO_PARAMS, "i")),
    '{"jsonrpc":"2.0","method":"version","params":[],"id":"i"}',
  );
  assert.equal(
    t(codec.encodeRequest("m", {
      kind: "named",
      values: new Members([["a", 1], ["a", new Double(2)]]),
    }, "i")),
    '{"jsonrpc":"2.0","method":"m","params":{"a":1,"a":2.0},"id":"i"}',
  );
  assert.equal(
    t(codec.encodeRequest(
      "m",
      { kind: "positional", values: ['é\n"', [null, true], { x: 0.5 }] },
      7,
    )),
    '{"jsonrpc":"2.0","method":"m","params":["é\\n\\"",[null,true],{"x":0.5}],"id":7}',
  );
});

test("createJsonRpcClientCodec() refuses what the servers cannot read", () => {
  assert.equal(
    code(() => codec.encodeRequest("m", { kind: "positional", values: ["a\0b"] }, "i")),
    "unrepresentable",
  );
  assert.equal(
    code(() => codec.encodeRequest("m", { kind: "positional", values: [NaN] }, "i")),
    "unrepresentable",
  );
  assert.equal(
    code(() => codec.encodeRequest("m", { kind: "positional", values: ["x".repeat(70000)] }, "i")),
    "request-too-large",
  );
});

test("createJsonRpcClientCodec() reads results and errors, compact or formatted", () => {
  assert.deepEqual(codec.decodeReply(b('{"jsonrpc":"2.0","result":{"a":[1]},"id":"i"}'), "i"), {
    kind: "result",
    value: { a: [1] },
  });
  assert.deepEqual(
    codec.decodeReply(
      b('{\n\t"jsonrpc":\t"2.0",\n\t"error":\t{\n\t\t"code":\t500,\n\t\t"message":\t"Method Not Found"\n\t},\n\t"id":\t"i"\n}'),
      "i",
    ),
    { kind: "error", code: 500, message: "Method Not Found" },
  );
  assert.deepEqual(
    codec.decodeReply(
      b('{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params","data":"Too few or too many parameters"},"id":"i"}'),
      "i",
    ),
    {
      kind: "error",
      code: -32602,
      message: "Invalid params",
      data: "Too few or too many parameters",
    },
  );
});

test("createJsonRpcClientCodec() keeps duplicate names in Members", () => {
  const r = codec.decodeReply(b('{"jsonrpc":"2.0","result":{"a":1,"a":2},"id":"i"}'), "i");
  assert.ok(r.kind === "result" && r.value instanceof Members && r.value.entries.length === 2);
});

test("createJsonRpcClientCodec() reads OpenSIPS's raw-text replies as errors", () => {
  assert.deepEqual(codec.decodeReply(b("400 Parse_error"), "i"), {
    kind: "error",
    code: 400,
    message: "Parse_error",
  });
  assert.deepEqual(codec.decodeReply(b("500 Internal error"), "i"), {
    kind: "error",
    code: 500,
    message: "Internal error",
  });
});

test("createJsonRpcClientCodec() takes replies without id, id null or 0 as ours, another id as foreign", () => {
  assert.equal(codec.decodeReply(b('{"jsonrpc":"2.0","result":{}}'), "i").kind, "result");
  assert.equal(
    codec.decodeReply(
      b('{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}'),
      "i",
    ).kind,
    "error",
  );
  assert.equal(codec.decodeReply(b('{"jsonrpc":"2.0","result":{},"id":0}'), "i").kind, "result");
  assert.equal(
    codec.decodeReply(b('{"jsonrpc":"2.0","result":{},"id":"other"}'), "i").kind,
    "foreign",
  );
  assert.equal(codec.decodeReply(b('{"jsonrpc":"2.0","result":{},"id":3}'), "i").kind, "foreign");
});

test("createJsonRpcClientCodec() throws reply-syntax for malformed replies, truncated-reply for cut ones", () => {
  assert.equal(code(() => codec.decodeReply(b("{oops"), "i")), "reply-syntax");
  assert.equal(code(() => codec.decodeReply(b('{"jsonrpc":"2.0","id":"i"}'), "i")), "reply-syntax");
  assert.equal(
    code(() => codec.decodeReply(b('{"jsonrpc":"2.0","result":1,"id":"i"} x'), "i")),
    "reply-syntax",
  );
  const cut = b(`{"jsonrpc":"2.0","result":"${"x".repeat(70000)}`).subarray(0, 65456);
  assert.equal(code(() => codec.decodeReply(cut, "i")), "truncated-reply");
});
