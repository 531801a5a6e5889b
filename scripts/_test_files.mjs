// The test files both runners run, and how their command lines split:
// runner arguments first, then, after `--`, filters (substrings of a path).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

// In this order, as Node starts the files in the order given: the slowest
// ones (the package and its tools, then the processes of cli/e2e) start
// first and do not end the run alone.
const ROOTS = ["scripts", "cli", "lib"];

function walk(base, dir, out) {
  for (const entry of readdirSync(join(base, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(base, path, out);
    else if (entry.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

/** Every test file of the checkout at `base`, as paths from it, each root's sorted. */
export function testFiles(base = ".") {
  return ROOTS.flatMap((root) => walk(base, root, []).sort());
}

/**
 * This process's arguments as `{ own, files }`: the runner's own arguments
 * (before `--`) and the test files that match the filters after it (every
 * test file when there are none). Exits 1 when none matches.
 */
export function testArguments(argv = process.argv.slice(2)) {
  const split = argv.indexOf("--");
  const own = split === -1 ? argv : argv.slice(0, split);
  const filters = split === -1 ? [] : argv.slice(split + 1);
  const files = testFiles()
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  if (files.length === 0) {
    console.error("No test files matched");
    process.exit(1);
  }
  return { own, files };
}
