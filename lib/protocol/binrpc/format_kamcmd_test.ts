import { test } from "node:test";
import assert from "node:assert/strict";
import { formatKamcmd } from "./format_kamcmd.ts";
import { MidgramError } from "../../errors.ts";
import { Double, Members } from "../value.ts";

test("formatKamcmd() refuses a format on which kamcmd loops forever", () => {
  for (const format of ["%d %v", "a%", "%%%x"]) {
    assert.throws(() => formatKamcmd([1], { format }), (e: unknown) => {
      assert.ok(e instanceof MidgramError);
      assert.equal(e.code, "usage");
      return true;
    });
  }
});

test("formatKamcmd() prints values as ctl would write them (arrays as structs)", () => {
  assert.equal(
    formatKamcmd([[1, new Members([["a", new Double(2.5)]])], new Double(-3)]),
    "{\n\t1\n\t{\n\t\ta: 2.500000\n\t}\n}\n-3\n",
  );
});

test("formatKamcmd() prints nothing for an empty reply, and the whole format with a format", () => {
  assert.equal(formatKamcmd([]), "");
  assert.equal(formatKamcmd([], { format: "a=%v\\n" }), "a=\n");
});
