import { test } from "node:test";
import assert from "node:assert/strict";
import { argumentFromText, formatRequest } from "./format_request.ts";
import { MidgramError } from "../../errors.ts";

test("formatRequest() writes the documented example byte for byte", () => {
  assert.equal(
    formatRequest("get_statistics", [{ name: null, value: "dialog:" }, {
      name: null,
      value: "tm:",
    }]),
    ":get_statistics:\ndialog:\ntm:\n",
  );
});

test("formatRequest() quotes only when it must", () => {
  const cases: [string | null, string, string][] = [
    [null, "plain", "plain"],
    ["k", "a b", "k::a b"],
    ["k", "", "k::"],
    ["k", " edge ", 'k::" edge "'],
    [null, "a::b", '"a::b"'],
    ["k", "a::b", "k::a::b"],
    ["k", 'say "hi"', 'k::"say \\"hi\\""'],
    ["k", "two\nlines", 'k::"two\nlines"'],
    ["k", "back\\slash", "k::back\\slash"],
  ];
  for (const [name, value, line] of cases) {
    assert.equal(formatRequest("c", [{ name, value }]), `:c:\n${line}\n`);
  }
});

function refuses(command: string, name: string | null, value: string | null, pattern: RegExp) {
  assert.throws(() => formatRequest(command, [{ name, value }]), (e: unknown) => {
    assert.ok(e instanceof MidgramError);
    assert.equal(e.code, "unrepresentable");
    assert.match(e.message, pattern);
    return true;
  });
}

test("formatRequest() refuses what the protocol cannot carry, naming why", () => {
  refuses("", null, "x", /the command: the name is empty/);
  refuses("a:b", null, "x", /':'/);
  refuses("a b", null, "x", /white space/);
  refuses("c", 'na"me', "x", /argument 1: a name cannot hold '"'/);
  refuses("c", "a::b", "x", /cannot hold '::'/);
  refuses("c", "a:", "x", /cannot end with ':'/);
  refuses("c", " a", "x", /white space/);
  refuses("c", "a\nb", "x", /line break/);
  refuses("c", null, "", /empty value with no name/);
  refuses("c", null, null, /neither a name nor a value/);
  refuses("c", "k", '"quoted"', /starts with '"'/);
  refuses("c", "k", " ends in \\", /cannot end with/);
  refuses("c", "k", "nul\0", /NUL/);
});

test("formatRequest() refuses a request over 65457 bytes", () => {
  assert.throws(
    () => formatRequest("c", [{ name: null, value: "x".repeat(65457) }]),
    (e: unknown) =>
      e instanceof MidgramError && e.code === "request-too-large" && /65457/.test(e.message),
  );
});

test("argumentFromText() splits at the first '::'", () => {
  assert.deepEqual(argumentFromText("key::a::b"), { name: "key", value: "a::b" });
  assert.deepEqual(argumentFromText("::v"), { name: "", value: "v" });
  assert.deepEqual(argumentFromText("dialog:"), { name: null, value: "dialog:" });
});
