// Start-up time of midgram in each of its forms: median and p90 wall time of
// N runs (default 20) of `--version`, and of one-shot `send`s from the single
// executable to a `dist/midgram serve` started here (binrpc over UDP,
// JSON-RPC over a UNIX datagram socket; `kamcmd` beside them when it is
// installed), beside `node -e 0` and `deno eval 0` as baselines, as a
// Markdown table. The runs of the forms are interleaved, so
// that a slow moment of the machine does not fall on one form only. Needs
// `npm run build` first for the two dist/ rows.
//
//   node scripts/bench_startup.mjs [runs]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.argv[2] ?? 20);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`Cannot run the benchmark: "${process.argv[2]}" is not a number of runs`);
  process.exit(2);
}
// The deno executable itself (npx would add its own start-up to every run).
const DENO = join(ROOT, "node_modules/deno/deno");
const NODE = process.execPath;
const BINARY = join(ROOT, "dist/midgram");
const BUNDLE = join(ROOT, "dist/midgram.cjs");

// A server for the one-shot sends (its reply takes well under a millisecond).
const dir = mkdtempSync(join(tmpdir(), "midgram-startup-"));
let server = null;
let udp = "";
const jsonSock = join(dir, "j.sock");
if (existsSync(BINARY)) {
  server = spawn(BINARY, [
    "serve",
    "-s",
    "binrpc=udp:127.0.0.1:0",
    "-s",
    `jsonrpc/kamailio=${jsonSock}`,
    "--log-level",
    "error",
  ], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, MIDGRAM_CONFIG: "/dev/null" },
  });
  udp = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve not ready: ${out}`)), 20_000);
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const found = /listening on (udp:\S+)/.exec(out);
      if (found && out.includes(jsonSock)) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}
const KAMCMD = process.env.MIDGRAM_KAMCMD ?? "/usr/sbin/kamcmd";

const FORMS = [
  { label: "`node -e 0` (baseline)", command: NODE, args: ["-e", "0"] },
  { label: "`deno eval 0` (baseline)", command: DENO, args: ["eval", "0"] },
  { label: "`dist/midgram --version` (single executable)", command: BINARY, args: ["--version"] },
  {
    label: "`node dist/midgram.cjs --version` (bundle)",
    command: NODE,
    args: [BUNDLE, "--version"],
    needs: BUNDLE,
  },
  {
    label: "`deno run -A cli/bin.ts --version`",
    command: DENO,
    args: ["run", "-A", "cli/bin.ts", "--version"],
  },
  {
    label: "`dist/midgram send --dialect binrpc -s udp:… core.version` (one-shot)",
    command: BINARY,
    args: ["send", "--dialect", "binrpc", "-s", udp, "core.version"],
    needs: server ? BINARY : "(no server)",
  },
  {
    label: "`dist/midgram send --dialect jsonrpc -s UNIX core.version` (one-shot)",
    command: BINARY,
    args: ["send", "--dialect", "jsonrpc", "-s", jsonSock, "core.version"],
    needs: server ? BINARY : "(no server)",
  },
  {
    label: "`kamcmd -s udp:… core.version` (the C client)",
    command: KAMCMD,
    args: ["-s", udp, "core.version"],
    needs: server ? KAMCMD : "(no server)",
  },
  {
    label: "`node --import tsx cli/bin.ts --version`",
    command: NODE,
    args: ["--import", "tsx", "cli/bin.ts", "--version"],
  },
];

/** Wall time of one run in ms; throws when the command fails. */
function time({ command, args }) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  return ms;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

const forms = FORMS.filter((form) => {
  const needed = form.needs ?? form.command;
  if (existsSync(needed)) return true;
  console.error(`Skipping ${form.label}: ${needed} is missing (npm run build?)`);
  return false;
});
for (const form of forms) {
  form.samples = [];
  time(form); // warm the file cache (the binary is 100 MB)
}
for (let i = 0; i < RUNS; i++) {
  for (const form of forms) form.samples.push(time(form));
}

const base = quantile(forms[0].samples.sort((a, b) => a - b), 0.5);
console.log(`Start-up, ${RUNS} runs each (wall time of the whole process, ms)\n`);
console.log("| command | median | p90 | median / `node -e 0` | median − `node -e 0` |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const { label, samples } of forms) {
  samples.sort((a, b) => a - b);
  const median = quantile(samples, 0.5);
  const p90 = quantile(samples, 0.9);
  console.log(
    `| ${label} | ${median.toFixed(1)} | ${p90.toFixed(1)} | ${(median / base).toFixed(2)} | ${
      (median - base).toFixed(1)
    } |`,
  );
}
if (existsSync(BINARY)) {
  const mb = statSync(BINARY).size / 1e6;
  console.log(
    `\ndist/midgram: ${mb.toFixed(1)} MB (node ${process.versions.node}, ${process.arch})`,
  );
}
server?.kill("SIGTERM");
rmSync(dir, { recursive: true, force: true });
