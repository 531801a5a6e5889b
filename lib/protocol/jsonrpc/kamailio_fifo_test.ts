import { test } from "node:test";
import assert from "node:assert/strict";
import { writeKamailioFifoRequest } from "./write_kamailio_fifo_request.ts";
import { readKamailioFifoRequest } from "./read_kamailio_fifo_request.ts";
import { MidgramError } from "../../errors.ts";

const b = (s: string) => new TextEncoder().encode(s);
const t = (u: Uint8Array) => new TextDecoder().decode(u);

test("writeKamailioFifoRequest() adds reply_name first", () => {
  assert.equal(t(writeKamailioFifoRequest(b('{"id":1}'), "r1")), '{"reply_name":"r1","id":1}\n');
  assert.equal(t(writeKamailioFifoRequest(b("{ }"), "r1")), '{"reply_name":"r1" }\n');
});

test("writeKamailioFifoRequest() refuses bad names and non-objects", () => {
  for (const name of ["", "a.b", "a/b", "x".repeat(128)]) {
    assert.throws(
      () => writeKamailioFifoRequest(b("{}"), name),
      (e) => e instanceof MidgramError && e.code === "unrepresentable",
    );
  }
  assert.throws(() => writeKamailioFifoRequest(b("[]"), "r"), MidgramError);
});

test("readKamailioFifoRequest() cuts the first object, braces in strings ignored", () => {
  const r = readKamailioFifoRequest(b('{"reply_name":"r1","m":"}{\\"}"}\n{"next":1}'));
  assert.equal(r?.replyName, "r1");
  assert.equal(t(r!.json), '{"reply_name":"r1","m":"}{\\"}"}');
});

test("readKamailioFifoRequest() waits for more bytes and refuses 8191 without an end", () => {
  assert.equal(readKamailioFifoRequest(b('{"a":{')), null);
  assert.throws(
    () => readKamailioFifoRequest(b("{" + " ".repeat(9000))),
    (e) => e instanceof MidgramError && e.code === "request-too-large",
  );
});

test("readKamailioFifoRequest() round-trips writeKamailioFifoRequest()", () => {
  const r = readKamailioFifoRequest(
    writeKamailioFifoRequest(b('{"jsonrpc":"2.0","method":"core.uptime","id":1}'), "midgram_7"),
  );
  assert.equal(r?.replyName, "midgram_7");
});
