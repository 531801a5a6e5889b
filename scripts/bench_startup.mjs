// Start-up time of dist/midgram: median and p90 wall time of N runs
// (default 20) of the embedded runtime's own `node -e 0` (the floor),
// `dist/midgram --version`, and a one-shot `send` on every transport to a
// `dist/midgram serve` started here, beside `kamcmd` for the same call (when
// it is installed) and a spawn of /bin/true (what the timing itself costs),
// as a Markdown table. Every command runs twice per round: without
// NODE_EXTRA_CA_CERTS (a clean environment) and with it (set to the
// environment's bundle, or the system's: Node 20 parses it at every start).
// Rounds interleave the commands, so that a slow moment of the machine does
// not fall on one of them only. Each run is timed by scripts/bench_exec.c
// (compiled here with cc): fork, exec, and a wait4 that blocks until the
// child exits (no polling), which also gives the child's CPU time (user +
// system: steadier than wall time on a busy machine) and peak RSS.
//
// --compare LABEL=BINARY[:RUNTIME] adds another build's rows (its --version
// and sends, to the same peers) and its runtime's `-e 0` (default
// /usr/bin/node), e.g. the executable of the main branch. --others adds the
// bundle, Deno and TypeScript-source forms. Needs `npm run build` first.
//
//   node scripts/bench_startup.mjs [--runs 20] [--others] [--compare LABEL=BINARY[:RUNTIME]]...
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RUNTIME_NODE } from "./_runtime.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: options } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    others: { type: "boolean", default: false },
    compare: { type: "string", multiple: true, default: [] },
  },
});
const RUNS = Number(options.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`Cannot run the benchmark: "${options.runs}" is not a number of runs`);
  process.exit(2);
}
// The deno executable itself (npx would add its own start-up to every run).
const DENO = join(ROOT, "node_modules/deno/deno");
const BINARY = join(ROOT, "dist/midgram");
const BUNDLE = join(ROOT, "dist/midgram.cjs");
const KAMCMD = process.env.MIDGRAM_KAMCMD ?? "/usr/sbin/kamcmd";
const CA = process.env.NODE_EXTRA_CA_CERTS ?? "/etc/ssl/certs/ca-certificates.crt";
const CLEAN_ENV = { ...process.env };
delete CLEAN_ENV.NODE_EXTRA_CA_CERTS;
const ENVS = existsSync(CA)
  ? [{ name: "without", env: CLEAN_ENV }, {
    name: "with",
    env: { ...CLEAN_ENV, NODE_EXTRA_CA_CERTS: CA },
  }]
  : [{ name: "without", env: CLEAN_ENV }];
if (!existsSync(BINARY)) {
  console.error(`Cannot run the benchmark: ${BINARY} is missing (npm run build)`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "midgram-startup-"));
const EXEC = join(dir, "bench_exec");
const cc = spawnSync("cc", ["-O2", "-o", EXEC, join(ROOT, "scripts/bench_exec.c")], {
  encoding: "utf8",
});
if (cc.error || cc.status !== 0) {
  console.error(`Cannot run the benchmark: no working C compiler (cc) for scripts/bench_exec.c`);
  console.error(String(cc.error?.message ?? cc.stderr).trim());
  rmSync(dir, { recursive: true, force: true });
  process.exit(2);
}

/** The builds measured: this one, then each --compare. */
const builds = [{ label: "this build", binary: BINARY, runtime: RUNTIME_NODE }];
for (const text of options.compare) {
  const match = /^([^=]+)=([^:]+)(?::(.+))?$/.exec(text);
  if (!match || !existsSync(match[2])) {
    console.error(`Cannot compare with "${text}": write LABEL=BINARY[:RUNTIME], an existing file`);
    process.exit(2);
  }
  builds.push({ label: match[1], binary: match[2], runtime: match[3] ?? "/usr/bin/node" });
}

// The sends go to the real Kamailio when MIDGRAM_KAMAILIO_RUNDIR names one
// that runs (with MIDGRAM_KAMAILIO_CTL_UDP, _CTL_TCP and _HTTP, as .ci/run
// sets them): kamcmd then makes the same binrpc calls beside them. Text MI,
// and every transport when there is no Kamailio, go to a `dist/midgram
// serve` started here (its FIFO polls, so FIFO rows measure that server
// more than the client).
const SOCKETS = {
  udp: "binrpc=udp:127.0.0.1:0",
  unixd: `binrpc=unixd:${join(dir, "bd.sock")}`,
  unixs: `binrpc=unixs:${join(dir, "b.sock")}`,
  tcp: "binrpc=tcp:127.0.0.1:0",
  jsonrpc: `jsonrpc/kamailio=${join(dir, "j.sock")}`,
  http: "jsonrpc/kamailio=http://127.0.0.1:0/RPC",
  fifo: `jsonrpc=fifo:${join(dir, "fifo")}`,
  mi: `mi=${join(dir, "m.sock")}`,
};
const server = spawn(BINARY, [
  "serve",
  ...Object.values(SOCKETS).flatMap((spec) => ["-s", spec]),
  "--log-level",
  "error",
], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...CLEAN_ENV, MIDGRAM_CONFIG: "/dev/null" },
});
/** The address each transport listens on, as announced (in SOCKETS' order). */
const local = await new Promise((resolve, reject) => {
  let out = "";
  const timer = setTimeout(() => reject(new Error(`serve not ready: ${out}`)), 20_000);
  server.stdout.on("data", (chunk) => {
    out += chunk;
    const lines = [...out.matchAll(/^listening on (\S+)/gm)].map((m) => m[1]);
    if (lines.length === Object.keys(SOCKETS).length) {
      clearTimeout(timer);
      resolve(Object.fromEntries(Object.keys(SOCKETS).map((key, i) => [key, lines[i]])));
    }
  });
  server.on("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
});
const KAM = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const kamailio = KAM && existsSync(join(KAM, "ctl.sock"))
  ? {
    udp: `udp:127.0.0.1:${process.env.MIDGRAM_KAMAILIO_CTL_UDP ?? 2046}`,
    unixd: `unixd:${join(KAM, "ctld.sock")}`,
    unixs: `unixs:${join(KAM, "ctl.sock")}`,
    tcp: `tcp:127.0.0.1:${process.env.MIDGRAM_KAMAILIO_CTL_TCP ?? 2047}`,
    jsonrpc: join(KAM, "jsonrpc.sock"),
    http: process.env.MIDGRAM_KAMAILIO_HTTP ?? null,
    fifo: `fifo:${join(KAM, "jsonrpc.fifo")}`,
  }
  : null;
/** Where a send on `transport` goes, and to whom. */
const target = (transport) => {
  const there = kamailio?.[transport];
  return there
    ? { address: there, peer: "Kamailio" }
    : { address: local[transport], peer: "midgram serve" };
};
const fifoFlavour = kamailio ? ["--flavour", "kamailio", "--reply-dir", KAM] : [];

const SENDS = [
  ["binrpc, UDP", "udp", ["--dialect", "binrpc"], "core.version"],
  ["binrpc, UNIX dgram", "unixd", ["--dialect", "binrpc"], "core.version"],
  ["binrpc, UNIX stream", "unixs", ["--dialect", "binrpc"], "core.version"],
  ["binrpc, TCP", "tcp", ["--dialect", "binrpc"], "core.version"],
  ["JSON-RPC, UNIX dgram", "jsonrpc", ["--dialect", "jsonrpc"], "core.version"],
  ["JSON-RPC, HTTP", "http", ["--dialect", "jsonrpc"], "core.version"],
  [
    "JSON-RPC, FIFO",
    "fifo",
    ["--dialect", "jsonrpc", ...fifoFlavour],
    kamailio ? "core.version" : "version",
  ],
  ["text MI, UNIX dgram", "mi", ["--dialect", "mi"], "version"],
].map(([what, transport, options, method]) => {
  const { address, peer } = target(transport);
  return {
    what: `${what} (${peer})`,
    transport,
    address,
    args: [...options, "-s", address, method],
  };
});

const FORMS = [{
  label: "`/bin/true` (the cost of timing a process)",
  command: "/bin/true",
  args: [],
}];
for (const build of builds) {
  const version = spawnSync(build.runtime, ["--version"], { encoding: "utf8" }).stdout?.trim();
  const suffix = builds.length > 1 ? ` (${build.label})` : "";
  const floor = {
    label: `\`node -e 0\`, ${
      build.runtime === RUNTIME_NODE ? "the embedded runtime" : build.runtime
    } ${version}${suffix}`,
    command: build.runtime,
    args: ["-e", "0"],
  };
  build.floor = floor;
  FORMS.push(floor);
  FORMS.push({
    label: `\`dist/midgram --version\`${suffix}`,
    command: build.binary,
    args: ["--version"],
    floor,
  });
  for (const { what, args } of SENDS) {
    FORMS.push({
      label: `\`dist/midgram send\`, ${what}${suffix}`,
      command: build.binary,
      args: ["send", ...args],
      floor,
    });
  }
}
for (const { what, address } of SENDS.filter((s) => s.what.startsWith("binrpc"))) {
  FORMS.push({
    label: `\`kamcmd core.version\`, ${what}`,
    command: KAMCMD,
    args: ["-s", address, "core.version"],
  });
}
if (options.others) {
  FORMS.push(
    {
      label: "`node dist/midgram.cjs --version` (bundle)",
      command: RUNTIME_NODE,
      args: [BUNDLE, "--version"],
    },
    { label: "`deno eval 0`", command: DENO, args: ["eval", "0"] },
    {
      label: "`deno run -A cli/bin.ts --version`",
      command: DENO,
      args: ["run", "-A", "cli/bin.ts", "--version"],
    },
    {
      label: "`node cli/bin.ts --version`",
      command: RUNTIME_NODE,
      args: ["cli/bin.ts", "--version"],
    },
  );
}

/** One run: wall and CPU (user + system) time in ms, peak RSS in MiB; throws when it fails. */
function time({ command, args }, env) {
  const result = spawnSync(EXEC, [command, ...args], { cwd: ROOT, env, encoding: "utf8" });
  if (result.error) throw result.error;
  const [wall, user, sys, rss, status] = result.stdout.trim().split(" ").map(Number);
  if (result.status !== 0 || status !== 0) {
    const again = spawnSync(command, args, { cwd: ROOT, env, encoding: "utf8" });
    throw new Error(
      `${command} ${args.join(" ")} exited ${status}: ${result.stderr}${again.stderr}`,
    );
  }
  return { wall: wall / 1000, cpu: (user + sys) / 1000, rss: rss / 1024 };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

const forms = FORMS.filter((form) => {
  if (existsSync(form.command)) return true;
  console.error(`Skipping ${form.label}: ${form.command} is missing`);
  return false;
});
for (const form of forms) {
  form.samples = Object.fromEntries(ENVS.map(({ name }) => [name, []]));
  for (const { env } of ENVS) time(form, env); // warm the file cache (the binary is 100 MB)
}
for (let i = 0; i < RUNS; i++) {
  for (const form of forms) {
    for (const { name, env } of ENVS) form.samples[name].push(time(form, env));
  }
}
const stat = (form, name, key, q = 0.5) =>
  quantile(form.samples[name].map((sample) => sample[key]).sort((a, b) => a - b), q);
const above = (form, name, key) =>
  form.floor ? `+${(stat(form, name, key) - stat(form.floor, name, key)).toFixed(1)}` : "";

console.log(
  `Start-up, ${RUNS} runs each: wall time and CPU time (user + system) of the whole process, ms; ` +
    "+ is above the floor, the runtime's own `node -e 0`\n",
);
const head = ENVS.flatMap(({ name }) => [
  `${name} NODE_EXTRA_CA_CERTS: wall median`,
  "p90",
  "+",
  "CPU median",
  "+",
]);
console.log(`| command | ${head.join(" | ")} | peak RSS MiB |`);
console.log(`| --- |${" ---: |".repeat(head.length + 1)}`);
for (const form of forms) {
  const cells = ENVS.flatMap(({ name }) => [
    stat(form, name, "wall").toFixed(1),
    stat(form, name, "wall", 0.9).toFixed(1),
    above(form, name, "wall"),
    stat(form, name, "cpu").toFixed(1),
    above(form, name, "cpu"),
  ]);
  console.log(
    `| ${form.label} | ${cells.join(" | ")} | ${stat(form, "without", "rss").toFixed(1)} |`,
  );
}
console.log("");
for (const build of builds) {
  const mib = statSync(build.binary).size / 1024 / 1024;
  console.log(`${build.label}: ${build.binary}, ${mib.toFixed(1)} MiB`);
}
server.kill("SIGTERM");
rmSync(dir, { recursive: true, force: true });
