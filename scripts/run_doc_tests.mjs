// Runs the doc examples (`deno test --doc`) of mod.ts and of every source file
// under lib/ and cli/ that has one, test files excepted. Listing files (not
// folders) makes Deno run only their examples, so the tests themselves are not
// run twice. Every example asserts what it shows, so a wrong example fails.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOTS = ["lib", "cli"];
const FILES = ["mod.ts"];
// Deno loads every listed file: the program's entries run it (and exit), and
// the single executable's entry imports `node:sea`, which only Node has.
const SKIP = new Set([join("cli", "bin.ts"), join("cli", "sea_main.ts")]);

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(path, out);
    } else if (
      entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts") && !SKIP.has(path)
    ) out.push(path);
  }
  return out;
}

// Only files with an example: tsc already type-checks the rest, and Deno
// would load each one as a test module for nothing.
const files = [...FILES, ...ROOTS.flatMap((root) => walk(root, []))]
  .filter((f) => readFileSync(f, "utf8").includes("@example"))
  .sort();
const result = spawnSync(
  "./node_modules/deno/deno",
  ["test", "--doc", "--unstable-net", "--allow-all", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
