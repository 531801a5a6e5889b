import { test } from "node:test";
import assert from "node:assert/strict";
import { createJsonRpcServerCodec } from "./create_json_rpc_server_codec.ts";
import type { Call } from "../dialect.ts";
import { Members } from "../value.ts";

const b = (s: string) => new TextEncoder().encode(s);
const t = (u: Uint8Array | null) => u === null ? null : new TextDecoder().decode(u);
const any = () => ({ noInput: false });
const opensips = createJsonRpcServerCodec({ flavour: "opensips" });
const kamailio = createJsonRpcServerCodec({ flavour: "kamailio" });

function call(codec: typeof opensips, req: string): Call {
  const d = codec.decode(b(req), any);
  assert.equal(d.kind, "call");
  return (d as { call: Call }).call;
}

test("createJsonRpcServerCodec() reads positional and named params", () => {
  const c = call(opensips, '{"jsonrpc":"2.0","method":"m","params":{"a":1,"a":[2.0]},"id":1}');
  assert.equal(c.params.kind, "named");
  assert.ok(c.params.values instanceof Members);
  assert.equal(c.params.values.entries.length, 2);
  const k = call(kamailio, '{"jsonrpc":"2.0","method":"m","params":{"a":"x","b":"y"},"id":1}');
  assert.deepEqual(k.params, { kind: "positional", values: ["x", "y"] });
});

test("createJsonRpcServerCodec() marks notifications for OpenSIPS only", () => {
  assert.equal(call(opensips, '{"jsonrpc":"2.0","method":"m"}').notification, true);
  assert.equal(call(kamailio, '{"jsonrpc":"2.0","method":"m"}').notification, undefined);
});

test("createJsonRpcServerCodec() writes each fault kind as OpenSIPS does", () => {
  const c = call(opensips, '{"jsonrpc":"2.0","method":"m","id":"x"}');
  assert.equal(
    t(opensips.encodeFault(c, { kind: "invalid-params", detail: "Bad type for parameter 'a'" })),
    `{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params","data":"Bad type for parameter 'a'"},"id":"x"}`,
  );
  assert.equal(
    t(opensips.encodeFault(c, { kind: "failed", message: "boom" })),
    '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Server error","data":"Command handler returned null"},"id":"x"}',
  );
  assert.equal(t(opensips.encodeFault(c, { kind: "busy" })), "500 Internal error");
  assert.equal(
    t(opensips.encodeFault(c, { kind: "reply-too-large", size: 1, limit: 1 })),
    "500 Internal error",
  );
  assert.equal(
    t(opensips.encodeFault(c, {
      kind: "command",
      code: 404,
      message: "Not found",
      data: { a: 1 },
    })),
    '{"jsonrpc":"2.0","error":{"code":404,"message":"Not found","data":{"a":1}},"id":"x"}',
  );
});

test("createJsonRpcServerCodec() writes faults as Kamailio does", () => {
  const c = call(kamailio, '{"jsonrpc":"2.0","method":"m","id":1}');
  const e = (s: string) =>
    `{\n\t"jsonrpc":\t"2.0",\n\t"error":\t{\n\t\t"code":\t${s}\n\t},\n\t"id":\t1\n}`;
  assert.equal(
    t(kamailio.encodeFault(c, { kind: "invalid-params", detail: "Failed to get the parameters" })),
    e('500,\n\t\t"message":\t"Failed to get the parameters"'),
  );
  assert.equal(
    t(kamailio.encodeFault(c, { kind: "command", code: -32602, message: "x" })),
    e('-32602,\n\t\t"message":\t"Invalid Parameters"'),
  );
  assert.equal(kamailio.encodeFault(c, { kind: "reply-too-large", size: 1, limit: 1 }), null);
});

test("createJsonRpcServerCodec() replaces an OpenSIPS reply over 65456 bytes with the raw 500", () => {
  const c = call(opensips, '{"jsonrpc":"2.0","method":"m","id":1}');
  const frame = '{"jsonrpc":"2.0","result":"","id":1}'.length;
  // The id's integer is printed at offset 34 + length and reserves 21 bytes of the 65457.
  const fits = "x".repeat(65457 - 34 - 21);
  assert.equal(t(opensips.encodeResult(c, fits))!.length, frame + fits.length);
  assert.equal(t(opensips.encodeResult(c, fits + "x")), "500 Internal error");
});

test("createJsonRpcServerCodec() answers no result to an OpenSIPS notification", () => {
  const c = call(opensips, '{"jsonrpc":"2.0","method":"m"}');
  assert.equal(opensips.encodeResult(c, "OK"), null);
  assert.equal(opensips.encodeFault(c, { kind: "failed", message: "x" }), null);
});

test("createJsonRpcServerCodec() writes a native result's value", () => {
  const c = call(opensips, '{"jsonrpc":"2.0","method":"m","id":1}');
  assert.equal(
    t(opensips.encodeResult(c, { native: "mi", reply: {}, value: [1] })),
    '{"jsonrpc":"2.0","result":[1],"id":1}',
  );
});

test("createJsonRpcServerCodec() refuses an unknown flavour", () => {
  assert.throws(() => createJsonRpcServerCodec({ flavour: "x" as "opensips" }), TypeError);
});
