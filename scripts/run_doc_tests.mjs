// `npm run test:doc`: the doc examples of mod.ts and of every source file
// under lib/ and cli/, on Deno and on Node. scripts/doc_examples.mjs writes
// each ```ts block of a doc comment as a module under .doc-examples/ with one
// runner that imports them as tests; every example asserts what it shows, so
// a wrong example fails. `npm run check` type-checks the same modules.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { OUT, ROOT, writeExamples } from "./doc_examples.mjs";
import { RUNTIME_NODE, runtimeEnv } from "./_runtime.mjs";

// Bounded: an example that leaves a socket or a timer open must fail, not
// keep the run waiting (Deno's sanitizers name it; Node would wait on it).
const LIMIT_MS = 120_000;

const examples = writeExamples();
console.error(`test:doc: ${examples.length} examples, on Deno and on Node`);
const runner = join(OUT, "run.ts");

function run(name, command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit", env });
    const timer = setTimeout(() => {
      console.error(`test:doc: ${name} still running after ${LIMIT_MS / 1000} s: stopped`);
      child.kill("SIGKILL");
    }, LIMIT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 && signal === null);
    });
  });
}

// One after the other, so that their reports do not interleave; together
// they take a few seconds.
const deno = await run(
  "deno",
  join(ROOT, "node_modules", "deno", "deno"),
  // tsc has checked the examples (`npm run check`): no second type check.
  ["test", "--no-check", "--unstable-net", "--allow-all", runner],
  process.env,
);
const node = await run("node", RUNTIME_NODE, ["--test", runner], runtimeEnv());
if (!deno || !node) {
  console.error(
    `test:doc: failed on ${[!deno && "Deno", !node && "Node"].filter(Boolean).join(" and ")}`,
  );
  process.exit(1);
}
