import { test } from "node:test";
import assert from "node:assert/strict";
import { kamcmdArgument } from "./kamcmd_argument.ts";
import { Double } from "../value.ts";

// Each row was sent by the real kamcmd 5.6.3 (testdata/binrpc/kamcmd/core_echo_numbers).
test("kamcmdArgument() types integers as kamcmd's strtol(…, 10) does", () => {
  for (
    const [text, want] of [
      ["-5", -5],
      ["010", 10],
      ["+5", 5],
      [" 5", 5],
      ["\t7", 7],
      ["", 0],
      ["2147483648", -2147483648],
      ["99999999999999999999", -1],
      ["-2147483649", 2147483647],
    ] as const
  ) assert.equal(kamcmdArgument(text), want, text);
});

test("kamcmdArgument() types doubles as kamcmd's strtod() does", () => {
  for (
    const [text, want] of [
      ["-1.5", -1.5],
      ["0x10", 16],
      ["1e3", 1000],
      ["0x1p3", 8],
      [".5", 0.5],
      ["1.", 1],
      ["2.0", 2],
      ["inf", Infinity],
      ["-INFINITY", -Infinity],
    ] as const
  ) assert.deepEqual(kamcmdArgument(text), new Double(want), text);
  assert.ok(Number.isNaN((kamcmdArgument("nan") as Double).value));
});

test("kamcmdArgument() keeps anything else as a string, without an s: prefix", () => {
  for (
    const [text, want] of [
      ["s:", ""],
      ["s:x", "x"],
      ["s:3", "3"],
      ["5 ", "5 "],
      ["1e", "1e"],
      ["007x", "007x"],
      ["0x", "0x"],
      ["a", "a"],
      ["s", "s"],
    ] as const
  ) assert.equal(kamcmdArgument(text), want, text);
});
