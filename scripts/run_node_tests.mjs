// Runs every *_test.ts file under Node's test runner, on the pinned runtime
// (scripts/_runtime.mjs: node_modules' unix-dgram is built for it) whatever
// `node` starts this script. Extra arguments are passed to `node --test`,
// and file filters may be given after `--` as substrings of the path.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { RUNTIME_NODE, runtimeEnv } from "./_runtime.mjs";

const ROOTS = ["lib", "cli", "scripts"];

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const split = args.indexOf("--");
const nodeArgs = split === -1 ? args : args.slice(0, split);
const filters = split === -1 ? [] : args.slice(split + 1);
const files = ROOTS.flatMap((root) => walk(root, [])).sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("No test files matched");
  process.exit(1);
}
// The tests' own `node` children (cli/e2e) find the same runtime on PATH.
const result = spawnSync(
  RUNTIME_NODE,
  ["--import", "tsx", "--test", ...nodeArgs, ...files],
  { stdio: "inherit", env: runtimeEnv() },
);
process.exit(result.status ?? 1);
