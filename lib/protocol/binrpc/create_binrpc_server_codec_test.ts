import { test } from "node:test";
import assert from "node:assert/strict";
import { createBinRpcServerCodec } from "./create_binrpc_server_codec.ts";
import { readPacket } from "./read_packet.ts";
import { readRecords } from "./read_records.ts";
import { writePacket } from "./write_packet.ts";
import { writeRecords } from "./write_records.ts";
import type { Call } from "../dialect.ts";
import { Members } from "../value.ts";

const call: Call = {
  method: "core.echo",
  params: { kind: "positional", values: [] },
  token: 0x1234,
};

// Seen on Kamailio 5.6.3: core.echo with one string of 32764 bytes is answered
// (a body of 32768 bytes), with 32765 bytes it is the overflow fault.
test("encodeResult() answers up to 32768 body bytes, then ctl's overflow fault", () => {
  const codec = createBinRpcServerCodec();
  const ok = readPacket(codec.encodeResult(call, ["x".repeat(32764)])!);
  assert.equal(ok.type, "reply");
  assert.equal(ok.body.length, 32768);
  const fault = readPacket(codec.encodeResult(call, ["x".repeat(32765)])!);
  assert.equal(fault.type, "fault");
  assert.deepEqual(readRecords(fault.body), [
    500,
    "Internal server error processing 's': buffer too small (overflow) (-2)",
  ]);
});

test("encodeResult() leaves out struct members past the struct limit, as ctl does", () => {
  const codec = createBinRpcServerCodec({ maxStructBody: 10 });
  const reply = readPacket(
    codec.encodeResult(call, new Members([["a", 1], ["b", "long text"], ["c", 2]]))!,
  );
  assert.deepEqual(readRecords(reply.body), [new Members([["a", 1], ["c", 2]])]);
});

test("encodeResult() writes an array result as the flat list, null as an empty reply", () => {
  const codec = createBinRpcServerCodec();
  assert.deepEqual(readPacket(codec.encodeResult(call, ["a", 1])!).body, writeRecords(["a", 1]));
  assert.equal(readPacket(codec.encodeResult(call, null)!).body.length, 0);
});

test("decode() keeps the whole parameters before a bad record", () => {
  const codec = createBinRpcServerCodec();
  const body = Uint8Array.from([...writeRecords(["core.echo", 1, "a"]), 0x07]);
  const decoded = codec.decode(
    writePacket({ type: "request", cookie: 1, body }),
    () => ({ noInput: false }),
  );
  assert.equal(decoded.kind, "call");
  if (decoded.kind === "call") assert.deepEqual(decoded.call.params.values, [1, "a"]);
});

test("frame() waits for 4 bytes, then throws with ctl's fault on a bad magic", () => {
  const codec = createBinRpcServerCodec();
  assert.equal(codec.frame!(Uint8Array.from([0xb1, 0x00])), 0);
  assert.throws(() => codec.frame!(Uint8Array.from([0xb1, 0x00, 0x01, 0x00])), (e: unknown) => {
    const reply = (e as { reply: Uint8Array }).reply;
    assert.deepEqual(readRecords(readPacket(reply).body), [400, "bad request: corrupted packet"]);
    return true;
  });
  assert.throws(
    () => codec.frame!(Uint8Array.from([0xa1, 0x04, 0xff, 0xff, 0x00])),
    /longer than 65535/,
  );
});
