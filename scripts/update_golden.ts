/**
 * Rewrites the expectations of the golden parse cases from the current parser,
 * for review with `git diff testdata/`:
 *
 *   node scripts/update_golden.ts
 *
 * Prints each file it changed, and refuses a case filed under the wrong
 * folder (`valid/` must be accepted in compat mode, `invalid/` rejected).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectedParseResult, resultJson } from "../lib/golden/parse_cases.ts";

const ROOT = "testdata/parse";
let changed = 0;
let misfiled = 0;
for (const folder of ["valid", "invalid"]) {
  const dir = join(ROOT, folder);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".mi")).sort()) {
    const result = expectedParseResult(readFileSync(join(dir, file)));
    if (result.compat.valid !== (folder === "valid")) {
      console.error(
        `${join(dir, file)}: compat mode says ${result.compat.valid ? "valid" : "invalid"}`,
      );
      misfiled++;
    }
    const jsonPath = join(dir, file.replace(/\.mi$/, ".json"));
    const text = resultJson(result);
    if (!existsSync(jsonPath) || readFileSync(jsonPath, "utf8") !== text) {
      writeFileSync(jsonPath, text);
      console.log(`updated ${jsonPath}`);
      changed++;
    }
  }
}
console.error(`${changed} expectation file(s) updated`);
if (misfiled > 0) process.exit(1);
