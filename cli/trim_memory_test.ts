import { test } from "node:test";
import assert from "node:assert/strict";
import { burstTrimmer, fullCollector } from "./_trim_memory.ts";

/** Feeds CPU milliseconds per 2 s interval; returns the intervals (0-based) after which a collection ran. */
function collections(used: number[]): number[] {
  const at: number[] = [];
  let i = 0;
  const tick = burstTrimmer(2000, () => at.push(i));
  for (; i < used.length; i++) tick(used[i]);
  return at;
}

test("trim memory: a burst then idle collects twice, three intervals apart", () => {
  assert.deepEqual(collections([1, 0, 1500, 1900, 2, 1, 0, 3, 0, 0, 0, 0]), [4, 7]);
});

test("trim memory: a process that stays idle or stays busy never collects", () => {
  assert.deepEqual(collections(Array(20).fill(1)), []);
  assert.deepEqual(collections(Array(20).fill(1500)), []);
});

test("trim memory: a new burst before the second collection starts over", () => {
  assert.deepEqual(collections([900, 5, 1, 800, 1, 1, 1, 1, 1]), [1, 4, 7]);
});

test("trim memory: light load (between idle and busy) neither counts as idle nor restarts", () => {
  // 150 ms of 2 s is neither busy (> 200) nor idle (< 100).
  assert.deepEqual(collections([900, 150, 150, 5, 150, 5, 5, 5]), [3, 7]);
});

test("trim memory: a server polling its FIFO (about 40 ms of CPU per 2 s) is idle after a burst", () => {
  assert.deepEqual(collections([1500, 40, 38, 41, 39, 40, 40]), [1, 4]);
});

test("trim memory: Node gives a collector without --expose-gc; Deno with FFI trims glibc", () => {
  // Deno: the tests run with -A (FFI allowed) on glibc Linux.
  const gc = fullCollector();
  assert.equal(typeof gc, "function");
  gc!();
  // Taking it leaves no `gc` in the program's global scope.
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, "undefined");
});
