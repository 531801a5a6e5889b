// Runs every *_test.ts file under Node's test runner, on the pinned runtime
// (scripts/_runtime.mjs: node_modules' unix-dgram is built for it) whatever
// `node` starts this script. Extra arguments are passed to `node --test`,
// and file filters may be given after `--` as substrings of the path.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { RUNTIME_NODE, runtimeEnv } from "./_runtime.mjs";
import { testArguments } from "./_test_files.mjs";

const { own: nodeArgs, files } = testArguments();
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
