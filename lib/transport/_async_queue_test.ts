import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { AsyncQueue } from "./_async_queue.ts";

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

test("AsyncQueue keeps one abort listener on a signal used for every read, and drops it at the end", async () => {
  const queue = new AsyncQueue<number>();
  const controller = new AbortController();
  for (let i = 0; i < 50; i++) {
    const read = queue.next(controller.signal);
    queue.push(i);
    assert.equal(await read, i);
  }
  assert.equal(listeners(controller.signal), 1);
  queue.end();
  assert.equal(listeners(controller.signal), 0);
  assert.equal(await queue.next(controller.signal), null);
});

test("AsyncQueue: an abort rejects only the waiting read, and the value that comes later is kept", async () => {
  const queue = new AsyncQueue<string>();
  const first = new AbortController();
  const read = queue.next(first.signal);
  first.abort(new Error("stop"));
  await assert.rejects(read, /stop/);
  assert.equal(listeners(first.signal), 0);
  queue.push("kept");
  // A new signal for the next read: the listener moves to it.
  const second = new AbortController();
  assert.equal(await queue.next(second.signal), "kept");
  const waiting = queue.next(second.signal);
  assert.equal(listeners(second.signal), 1);
  const third = new AbortController();
  queue.push("a");
  assert.equal(await waiting, "a");
  const moved = queue.next(third.signal);
  assert.equal(listeners(second.signal), 0);
  assert.equal(listeners(third.signal), 1);
  second.abort(new Error("old signal")); // no longer the reader's: nothing happens
  queue.fail(new Error("closed"), true);
  await assert.rejects(moved, /closed/);
  assert.equal(listeners(third.signal), 0);
});
