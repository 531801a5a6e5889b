import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "./duration.ts";
import { MidgramError } from "./errors.ts";

test("parseDuration() reads a bare number as milliseconds", () => {
  assert.equal(parseDuration("2000"), 2000);
  assert.equal(parseDuration("0"), 0);
});

test("parseDuration() reads every unit", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("5s"), 5000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("2m"), 120_000);
  assert.equal(parseDuration("1h"), 3_600_000);
});

test("parseDuration() rejects text that is not a duration, naming it", () => {
  for (const bad of ["", "s", "5x", "-1s", "1 2", "five"]) {
    assert.throws(() => parseDuration(bad, "--timeout"), (e: unknown) => {
      assert.ok(e instanceof MidgramError);
      assert.equal(e.code, "usage");
      assert.match(e.message, new RegExp(`--timeout "${bad}"`));
      return true;
    });
  }
});

test("formatDuration() round-trips through parseDuration()", () => {
  for (const ms of [0, 1, 500, 1000, 1500, 60_000, 90_000, 3_600_000]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
  assert.equal(formatDuration(5000), "5s");
});
