// `npm run test:deno`: every *_test.ts file under Deno's runner, in a few
// `deno test` processes side by side (`--shards N`, default 2), each running
// its files one after another. Separate processes, not `deno test
// --parallel`: Deno's parallel workers share one process, and about one run
// in ten a socket made by one test file failed with EBADF, its descriptor
// closed by another file's work. Processes share no descriptors.
//
// tsc has type-checked every file (`npm run check`), so Deno does not check
// them again (`--no-check`). File filters may be given after `--` as
// substrings of the path, as with scripts/run_node_tests.mjs.
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import process from "node:process";
import { testArguments } from "./_test_files.mjs";

const DENO = "./node_modules/deno/deno";

const { own, files } = testArguments();
const at = own.indexOf("--shards");
const shards = Math.max(1, at === -1 ? 2 : Number(own[at + 1]) || 1);
const denoArgs = own.filter((_, i) => i !== at && i !== at + 1);

// Balanced by size, largest first, each to the lightest shard so far: a
// test file's size is a fair guess at its time.
const lanes = Array.from({ length: Math.min(shards, files.length) }, () => ({
  files: [],
  weight: 0,
}));
for (const file of [...files].sort((a, b) => statSync(b).size - statSync(a).size)) {
  const lane = lanes.reduce((a, b) => (b.weight < a.weight ? b : a));
  lane.files.push(file);
  lane.weight += statSync(file).size;
}

/** Runs one shard, its output kept until it ends so that shards do not interleave. */
function run(lane, index) {
  return new Promise((resolve) => {
    const child = spawn(DENO, [
      "test",
      "--no-check",
      "--unstable-net",
      "--allow-all",
      ...denoArgs,
      ...lane.files.sort(),
    ], { stdio: lanes.length === 1 ? "inherit" : ["ignore", "pipe", "pipe"] });
    const chunks = [];
    child.stdout?.on("data", (c) => chunks.push(c));
    child.stderr?.on("data", (c) => chunks.push(c));
    child.on("close", (code, signal) => {
      if (lanes.length > 1) {
        process.stdout.write(
          `\n== deno shard ${index + 1} of ${lanes.length}: ${lane.files.length} files\n`,
        );
        process.stdout.write(Buffer.concat(chunks));
      }
      resolve(code === 0 && signal === null);
    });
  });
}

const results = await Promise.all(lanes.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
