// Start-up time of midgram in each form: median and p90 of N runs of
// `--version`, beside `node -e 0` and `deno eval 0` as baselines.
//
//   node scripts/bench_startup.mjs [runs]
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const runs = Number(process.argv[2] ?? 20);
const deno = "node_modules/.bin/deno";
const cases = [
  ["node -e 0 (baseline)", process.execPath, ["-e", "0"]],
  ["deno eval 0 (baseline)", deno, ["eval", "0"]],
  ["dist/midgram --version (SEA binary)", "dist/midgram", ["--version"]],
  ["node dist/midgram.cjs --version (bundle)", process.execPath, ["dist/midgram.cjs", "--version"]],
  ["deno run cli/bin.ts --version", deno, ["run", "-A", "cli/bin.ts", "--version"]],
  ["node --import tsx cli/bin.ts --version", process.execPath, [
    "--import",
    "tsx",
    "cli/bin.ts",
    "--version",
  ]],
];

function time(command, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: "ignore" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rows = [];
for (const [label, command, args] of cases) {
  if (!existsSync(command) && command.includes("/")) {
    rows.push([label, NaN, NaN]);
    continue;
  }
  time(command, args); // warm the file cache
  const samples = Array.from({ length: runs }, () => time(command, args)).sort((a, b) => a - b);
  rows.push([label, samples[Math.floor(runs / 2)], samples[Math.floor(runs * 0.9)]]);
}
const base = rows[0][1];
console.log(`| command | median ms | p90 ms | × node -e 0 |`);
console.log(`| --- | ---: | ---: | ---: |`);
for (const [label, median, p90] of rows) {
  console.log(
    `| ${label} | ${median.toFixed(1)} | ${p90.toFixed(1)} | ${(median / base).toFixed(2)} |`,
  );
}
if (existsSync("dist/midgram")) {
  console.log(`\ndist/midgram: ${(statSync("dist/midgram").size / 1024 / 1024).toFixed(1)} MiB`);
}
