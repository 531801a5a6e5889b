import { test } from "node:test";
import assert from "node:assert/strict";
import { createFifoRequestReader } from "./fifo_request_reader.ts";

const b = (s: string) => new TextEncoder().encode(s);
const t = (u: Uint8Array) => new TextDecoder().decode(u);
const request = (name: string) =>
  `{"jsonrpc":"2.0","method":"core.uptime","id":1,"reply_name":"${name}"}`;

test("createFifoRequestReader() kamailio: a request over 8191 bytes is dropped as jsonrpcs drops it, and reading goes on", () => {
  const reader = createFifoRequestReader("kamailio");
  // One write of "{" and 9000 "a": 8191 bytes dropped, 810 kept as the start of the next request.
  const first = reader.push(b("{" + "a".repeat(9000)));
  assert.deepEqual(first.requests, []);
  assert.deepEqual(first.dropped.map((d) => d.kind), ["too-large"]);
  assert.equal(reader.pending, 810);
  // As in Kamailio, the next object is read after those 810 bytes (and does
  // not parse); an empty object before it is what a client writes to resync.
  const next = reader.push(b("{}\n" + request("r1") + "\n"));
  assert.deepEqual(next.requests.map((q) => q.replyName), [null, "r1"]);
  assert.equal(t(next.requests[1].json), "\n" + request("r1"));
  assert.equal(reader.pending, 1);
});

test("createFifoRequestReader() kamailio: a request split over many reads is read once, never past 8191 bytes", () => {
  const reader = createFifoRequestReader("kamailio");
  const whole = b(request("r2") + "\n{");
  for (let i = 0; i < whole.length; i++) {
    const read = reader.push(whole.subarray(i, i + 1));
    if (i === whole.length - 3) assert.equal(read.requests[0]?.replyName, "r2");
    else assert.equal(read.requests.length, 0);
  }
  for (let i = 0; i < 100; i++) {
    reader.push(b("x".repeat(1000)));
    assert.ok(reader.pending < 8191, `${reader.pending} bytes kept`);
  }
});

test("createFifoRequestReader() opensips: a ':' and bytes without a second ':' are dropped, bounded, then the next request is read", () => {
  const reader = createFifoRequestReader("opensips");
  let dropped = 0;
  for (let i = 0; i < 50; i++) {
    const read = reader.push(b((i === 0 ? ":" : "") + "g".repeat(65536)));
    dropped += read.dropped.length;
    assert.equal(read.requests.length, 0);
    assert.ok(reader.pending <= 124, `${reader.pending} bytes kept`);
  }
  assert.equal(dropped, 1, "one bad request, one drop");
  const read = reader.push(b('ggg:r3:{"jsonrpc":"2.0","method":"uptime","id":1}\n'));
  assert.deepEqual(read.requests.map((q) => q.replyName), ["r3"]);
});

test("createFifoRequestReader() opensips: a header split over reads is joined", () => {
  const reader = createFifoRequestReader("opensips", { replyDir: "/tmp/replies" });
  assert.equal(reader.push(b(":r")).requests.length, 0);
  assert.equal(reader.push(b("4:")).requests.length, 0);
  assert.deepEqual(reader.push(b('{"id":4}')).requests.map((q) => q.replyName), ["r4"]);
  assert.equal(reader.pending, 0);
});
