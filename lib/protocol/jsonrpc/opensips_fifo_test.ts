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

test("readOpensipsFifoRequests() drops a name longer than the reply directory allows and resumes at the next ':'", () => {
  // "/tmp/" + name + NUL within 128 bytes: 122 bytes of name at most.
  const ok = readOpensipsFifoRequests(b(`:${"n".repeat(122)}:{"id":1}`));
  assert.equal(ok.requests[0]?.replyName, "n".repeat(122));
  const long = readOpensipsFifoRequests(b(`:${"n".repeat(123)}:r:{"id":1}`));
  assert.match(long.dropped!, /over 122 bytes/);
  assert.deepEqual(long.requests.map((q) => [q.replyName, t(q.json)]), [["r", '{"id":1}']]);
  // A longer reply directory leaves less.
  assert.match(
    readOpensipsFifoRequests(b(`:${"n".repeat(100)}:{"id":1}`), { replyDir: "/" + "d".repeat(30) })
      .dropped!,
    /over 95 bytes/,
  );
});

test("readOpensipsFifoRequests() keeps no more of a header than a name can be, then skips to the next ':'", () => {
  const head = readOpensipsFifoRequests(b(":" + "a".repeat(122)));
  assert.equal(head.rest.length, 123, "still a possible name: kept");
  assert.equal(head.skip, false);
  const flood = readOpensipsFifoRequests(b(":" + "a".repeat(60_000)));
  assert.equal(flood.rest.length, 0);
  assert.equal(flood.skip, true);
  assert.match(flood.dropped!, /over 122 bytes/);
  const more = readOpensipsFifoRequests(b("a".repeat(60_000)), { skip: true });
  assert.deepEqual([more.rest.length, more.skip, more.dropped], [0, true, null]);
  const next = readOpensipsFifoRequests(b('aaaa\n:r:{"id":2}\n'), { skip: true });
  assert.deepEqual(next.requests.map((q) => [q.replyName, t(q.json)]), [["r", '{"id":2}']]);
  assert.equal(next.skip, false);
});

test("readOpensipsFifoRequests() refuses names with control characters, NUL included", () => {
  for (const name of ["ok\0name", "a\nb", "a\x7fb"]) {
    const r = readOpensipsFifoRequests(b(`:${name}:{"id":1}`));
    assert.equal(r.requests.length, 0, JSON.stringify(name));
    assert.match(r.dropped!, /control character/);
  }
  assert.equal(readOpensipsFifoRequests(b(':a b:{"id":1}')).requests[0]?.replyName, "a b");
});
