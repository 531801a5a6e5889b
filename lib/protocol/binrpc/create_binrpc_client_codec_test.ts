import { test } from "node:test";
import assert from "node:assert/strict";
import { createBinRpcClientCodec } from "./create_binrpc_client_codec.ts";
import { writePacket } from "./write_packet.ts";
import { writeRecords } from "./write_records.ts";
import { MidgramError } from "../../errors.ts";
import { Members } from "../value.ts";

const codec = createBinRpcClientCodec();

test("decodeReply() reads a fault as an error with its code and message", () => {
  const bytes = writePacket({
    type: "fault",
    cookie: 9,
    body: writeRecords([500, "command x not found"]),
  });
  assert.deepEqual(codec.decodeReply(bytes, 9), {
    kind: "error",
    code: 500,
    message: "command x not found",
  });
});

test("decodeReply() says foreign for another cookie, even on a cut packet", () => {
  const bytes = writePacket({ type: "reply", cookie: 9, body: writeRecords(["abc"]) });
  assert.deepEqual(codec.decodeReply(bytes.subarray(0, 6), 8), { kind: "foreign" });
});

test("decodeReply() throws truncated-reply on a cut packet and reply-syntax on a bad one", () => {
  const bytes = writePacket({ type: "reply", cookie: 9, body: writeRecords(["abc"]) });
  for (
    const [input, code] of [
      [bytes.subarray(0, 6), "truncated-reply"],
      [Uint8Array.from([0xb1, 0x10, 0x00, 0x09]), "reply-syntax"],
      [writePacket({ type: "reply", cookie: 9, body: Uint8Array.of(0x83) }), "reply-syntax"],
    ] as const
  ) {
    assert.throws(() => codec.decodeReply(input, 9), (e: unknown) => {
      assert.ok(e instanceof MidgramError);
      assert.equal(e.code, code);
      return true;
    });
  }
});

test("encodeRequest() refuses named parameters", () => {
  assert.throws(
    () => codec.encodeRequest("m", { kind: "named", values: new Members([["a", 1]]) }, 1),
    (e: unknown) => e instanceof MidgramError && e.code === "unrepresentable",
  );
});

test("newToken() gives unsigned 32-bit cookies", () => {
  for (let i = 0; i < 20; i++) {
    const t = codec.newToken() as number;
    assert.ok(Number.isInteger(t) && t >= 0 && t <= 0xffffffff);
  }
});
