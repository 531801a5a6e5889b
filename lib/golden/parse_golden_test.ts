import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareParseCase, lineDiff, showInvisible } from "./parse_cases.ts";

const ROOT = new URL("../../testdata/parse/", import.meta.url);

for (const folder of ["valid", "invalid"]) {
  test(`golden parse cases in testdata/parse/${folder}/ match the parser`, () => {
    const dir = new URL(`${folder}/`, ROOT);
    const files = readdirSync(dir).filter((f) => f.endsWith(".mi")).sort();
    assert.ok(files.length >= 15, `only ${files.length} cases in ${folder}/`);
    const failures: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(new URL(file, dir));
      const expected = readFileSync(new URL(file.replace(/\.mi$/, ".json"), dir), "utf8");
      const { ok, diff, actualJsonText } = compareParseCase(bytes, expected);
      if (!ok) failures.push(`${join(folder, file)}:\n${diff}`);
      const valid = JSON.parse(actualJsonText).compat.valid;
      if (valid !== (folder === "valid")) failures.push(`${join(folder, file)} is misfiled`);
    }
    assert.deepEqual(failures, []);
  });
}

test("compareParseCase() reports a changed expectation with a diff", () => {
  const bytes = new TextEncoder().encode(":cmd:\nvalue\n");
  const wrong = JSON.stringify({ compat: { valid: false }, strict: { valid: false } });
  const { ok, diff } = compareParseCase(bytes, wrong);
  assert.equal(ok, false);
  assert.match(diff, /^- {5}"valid": false$/m);
  assert.match(diff, /^\+ {5}"valid": true,$/m);
});

test("showInvisible() marks CR, LF, TAB, NUL and trailing spaces", () => {
  assert.equal(showInvisible("a\r\n\t\0 "), "a␍␊\n␉␀·");
  assert.equal(showInvisible("a  \nb"), "a··␊\nb");
  assert.equal(lineDiff("a\nb\n", "a\nc\n"), "  a\n- b\n+ c\n");
});
