// `npm test`: everything CI checks, in two stages whose steps run side by
// side (most of a test's time is spent waiting on sockets and children, so
// one step alone leaves a two-core machine half idle):
//
//   1. check (types, lint, format)  |  build (dist/midgram, dist/npm, pages)
//   2. test:node                    |  test:deno, then test:doc, then check:pack
//
// Each step's output goes to .tmp/test/STEP.log; a step that passes prints its
// summary, a step that fails prints its whole log. Exit 0 when every step
// passed, else 1. A failed check or build stops before the tests.
//
//   npm test                      # as above
//   node scripts/test_all.mjs --serial   # one step at a time, output as it comes
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const LOGS = join(ROOT, ".tmp", "test");
const serial = process.argv.includes("--serial");

/** The lines of a log that say how a step ended (test counts, runner summaries). */
const SUMMARY =
  /^(ℹ (tests|pass|fail|skipped|cancelled|duration_ms) |.*\b(ok|FAILED) \| \d+ passed|Checked \d+ files|built |check:pack|test:doc|doc examples)/;

/** The stages, one after the other; in each, its lanes side by side, a lane's steps in turn. */
const STAGES = [
  [["check"], ["build"]],
  [["test:node"], ["test:deno", "test:doc", "check:pack"]],
];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
// deno-lint-ignore no-control-regex
const plain = (text) => text.replace(/\u001b\[[0-9;]*m/g, "");

function runStep(name) {
  const started = Date.now();
  if (serial) console.error(`\n== ${name}`);
  return new Promise((resolve) => {
    const log = join(LOGS, `${name.replace(":", "-")}.log`);
    const out = serial ? null : createWriteStream(log);
    // Every step is the npm script of that name.
    const child = spawn("npm", ["run", "--silent", name], {
      cwd: ROOT,
      stdio: serial ? "inherit" : ["ignore", "pipe", "pipe"],
    });
    if (out) {
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
    }
    let done = false;
    const finish = (ok, why) => {
      if (done) return;
      done = true;
      const end = () => {
        const took = seconds(Date.now() - started);
        if (serial) {
          console.error(`== ${name}: ${ok ? "passed" : `FAILED${why}`} in ${took}`);
        } else {
          const text = plain(readFileSync(log, "utf8"));
          if (ok) {
            const lines = text.split("\n").filter((l) => SUMMARY.test(l.trim()));
            console.error(`== ${name}: passed in ${took}`);
            for (const line of lines) console.error(`   ${line.trim()}`);
          } else {
            console.error(
              `== ${name}: FAILED${why} in ${took}; its output (${relative(ROOT, log)}):`,
            );
            process.stderr.write(text);
          }
        }
        resolve(ok);
      };
      if (out) out.end(end);
      else end();
    };
    child.on("error", (error) => finish(false, ` (${error.message})`));
    child.on("close", (code, signal) => {
      finish(code === 0, code === 0 ? "" : signal ? ` (signal ${signal})` : ` (exit ${code})`);
    });
  });
}

/** Runs a lane's steps one after the other, each whatever the one before gave. */
async function runLane(lane) {
  let ok = true;
  for (const name of lane) ok = (await runStep(name)) && ok;
  return ok;
}

mkdirSync(LOGS, { recursive: true });
const started = Date.now();
let ok = true;
for (const stage of STAGES) {
  if (serial) {
    for (const lane of stage) ok = (await runLane(lane)) && ok;
  } else {
    const results = await Promise.all(stage.map(runLane));
    ok = results.every(Boolean) && ok;
  }
  if (!ok) break;
}
console.error(`== npm test: ${ok ? "passed" : "FAILED"} in ${seconds(Date.now() - started)}`);
process.exit(ok ? 0 : 1);
