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
  assert.equal(t(r!.json!), '{"reply_name":"r1","m":"}{\\"}"}');
});

test("readKamailioFifoRequest() waits for more bytes and drops 8191 without an end, as jsonrpcs", () => {
  assert.equal(readKamailioFifoRequest(b('{"a":{')), null);
  // jsonrpcs drops the first 8191 bytes and reads on from the next one:
  // nothing thrown, nothing kept.
  const r = readKamailioFifoRequest(b("{" + " ".repeat(9000)));
  assert.deepEqual(r, { length: 8191, json: null, replyName: null, refusal: null });
  // The byte that would complete the object at 8191 comes too late.
  const late = readKamailioFifoRequest(b("{" + " ".repeat(8189) + "}"));
  assert.equal(late?.json, null);
  const inTime = readKamailioFifoRequest(b("{" + " ".repeat(8188) + "}"));
  assert.equal(inTime?.json?.length, 8190);
});

test("readKamailioFifoRequest() gives reply_name as written, a dropped \\u escape kept", () => {
  const name = (json: string) => readKamailioFifoRequest(b(json))?.replyName;
  assert.equal(name('{"reply_name":"r\\u00e91"}'), "r\u00e91");
  // srjson drops \u0000 (Kamailio opens "okname"): the name keeps it, to be refused.
  assert.equal(name('{"reply_name":"ok\\u0000name"}'), "ok\u0000name");
  assert.equal(name('{"reply_name":1}'), null);
});

test("readKamailioFifoRequest() tells which documents jsonrpcs reads but does not run", () => {
  const refusal = (json: string) => readKamailioFifoRequest(b(json))?.refusal;
  assert.equal(refusal(`{"reply_name":"${"n".repeat(127)}"}`), null);
  assert.match(refusal(`{"reply_name":"${"n".repeat(128)}"}`)!, /128 bytes/);
  assert.match(refusal('{"method":"core.uptime"}')!, /no "reply_name"/);
  assert.match(refusal('{"reply_name":7}')!, /no "reply_name"/);
  assert.equal(refusal("{not json}"), null, "not JSON: the codec's business");
});

test("readKamailioFifoRequest() round-trips writeKamailioFifoRequest()", () => {
  const r = readKamailioFifoRequest(
    writeKamailioFifoRequest(b('{"jsonrpc":"2.0","method":"core.uptime","id":1}'), "midgram_7"),
  );
  assert.equal(r?.replyName, "midgram_7");
});
