// Runs every *_test.ts file under Node's test runner, on the pinned runtime
// (scripts/_runtime.mjs: node_modules' unix-dgram is built for it) whatever
// `node` starts this script. Extra arguments are passed to `node --test`,
// and file filters may be given after `--` as substrings of the path.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { RUNTIME_NODE, runtimeEnv } from "./_runtime.mjs";

// In this order, as the files start in the order given: the slowest ones
// (the package and its tools, then the processes of cli/e2e) start first
// and do not end the run alone.
const ROOTS = ["scripts", "cli", "lib"];

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
const files = ROOTS.flatMap((root) => walk(root, []).sort())
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("No test files matched");
  process.exit(1);
}
// The tests' own `node` children (cli/e2e) find the same runtime on PATH.
// Files run side by side: most of their time is spent waiting on sockets and
// child processes, and Node's default (one file per core but one) would run
// them one at a time on a two-core machine.
const concurrency = nodeArgs.some((a) => a.startsWith("--test-concurrency"))
  ? []
  : [`--test-concurrency=${Math.max(4, 2 * availableParallelism())}`];
// Node's compile cache: each test file is a process of its own that loads
// much the same modules, so all but the first find them compiled (about a
// third less CPU for the phase). Kept in the checkout's .tmp/, not TMPDIR.
const env = runtimeEnv();
env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, "..", ".tmp", "node-compile-cache");
const result = spawnSync(
  RUNTIME_NODE,
  ["--test", ...concurrency, ...nodeArgs, ...files],
  { stdio: "inherit", env },
);
process.exit(result.status ?? 1);
