/**
 * Rewrites the expectations of the golden parse cases from the current parser,
 * for review with `git diff testdata/`:
 *
 *   node scripts/update_golden.ts
 *
 * Prints each file it changed, and refuses a case filed under the wrong
 * folder (`valid/` must be accepted in compat mode, `invalid/` rejected).
 * The cases are played and rewritten by the golden runner, as
 * `midgram fuzz --update` does.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runGolden } from "../lib/fuzz/golden_runner.ts";
import { expectedParseResult } from "../lib/golden/parse_cases.ts";

const ROOT = "testdata/parse";
let misfiled = 0;
const paths: string[] = [];
for (const folder of ["valid", "invalid"]) {
  const dir = join(ROOT, folder);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".mi")).sort()) {
    const path = join(dir, file);
    if (expectedParseResult(readFileSync(path)).compat.valid !== (folder === "valid")) {
      console.error(`${path}: compat mode says ${folder === "valid" ? "invalid" : "valid"}`);
      misfiled++;
    }
    paths.push(path);
  }
}
const stale = (await runGolden(paths)).filter((r) => !r.ok);
await runGolden(stale.map((r) => r.path), { update: true });
for (const r of stale) console.log(`updated ${r.path.replace(/\.mi$/, ".json")}`);
console.error(`${stale.length} expectation file(s) updated`);
if (misfiled > 0) process.exit(1);
