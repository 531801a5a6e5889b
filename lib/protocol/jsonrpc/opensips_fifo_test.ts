import { test } from "node:test";
import assert from "node:assert/strict";
import { writeOpensipsFifoRequest } from "./write_opensips_fifo_request.ts";
import { readOpensipsFifoRequests } from "./read_opensips_fifo_requests.ts";
import { MidgramError } from "../../errors.ts";

const b = (s: string) => new TextEncoder().encode(s);
const t = (u: Uint8Array) => new TextDecoder().decode(u);

test("writeOpensipsFifoRequest() frames ':NAME:JSON\\n'", () => {
  assert.equal(t(writeOpensipsFifoRequest("r1", b('{"id":1}'))), ':r1:{"id":1}\n');
  assert.equal(t(writeOpensipsFifoRequest("", b("{}"))), "::{}\n");
});

test("writeOpensipsFifoRequest() refuses names and sizes the server refuses", () => {
  for (const name of ["a.b", "a/b", "a\\b", "x".repeat(123)]) {
    assert.throws(
      () => writeOpensipsFifoRequest(name, b("{}")),
      (e) => e instanceof MidgramError && e.code === "unrepresentable",
    );
  }
  assert.throws(
    () => writeOpensipsFifoRequest("r", b(`"${"x".repeat(4100)}"`)),
    (e) => e instanceof MidgramError && e.code === "request-too-large",
  );
});

test("readOpensipsFifoRequests() reads several requests in one write", () => {
  const r = readOpensipsFifoRequests(b(' \n:a:{"id":1}\n::{"id":2} :b:[3]'));
  assert.deepEqual(r.requests.map((q) => [q.replyName, t(q.json)]), [["a", '{"id":1}'], [
    null,
    '{"id":2}',
  ], ["b", "[3]"]]);
  assert.equal(r.dropped, null);
});

test("readOpensipsFifoRequests() keeps an incomplete header for the next read", () => {
  const r = readOpensipsFifoRequests(b(":abc"));
  assert.equal(t(r.rest), ":abc");
  assert.equal(r.requests.length, 0);
});

test("readOpensipsFifoRequests() drops requests with a refused name or no leading ':'", () => {
  assert.match(readOpensipsFifoRequests(b(':../x:{"id":1}')).dropped!, /refused/);
  assert.match(readOpensipsFifoRequests(b('{"id":1}')).dropped!, /start with ':'/);
  assert.match(readOpensipsFifoRequests(b(":a:nope")).dropped!, /does not parse/);
});
