// `midgram send --batch` against the real servers' own client: 1,000
// requests through one `send --batch`, beside 1,000 calls of `kamcmd` in a
// shell loop and a loop of one-shot `midgram send` (100 calls, scaled to
// 1,000), in every dialect: binrpc over Kamailio's `ctl` (UNIX stream),
// JSON-RPC over its `jsonrpcs` datagram socket, text MI against
// `midgram serve`. Starts its own Kamailio when /usr/sbin/kamailio exists
// (those rows are skipped, saying why, otherwise). Asserts nothing.
//
//   node scripts/bench_batch.mjs [--requests 1000] [--midgram dist/midgram]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    midgram: { type: "string", default: join(ROOT, "dist/midgram") },
  },
});
const N = Number(opts.requests);
const ONE_SHOTS = Math.min(N, 100);
const MIDGRAM = opts.midgram;
const dir = mkdtempSync(join(tmpdir(), "midgram-bench-batch-"));
const env = { ...process.env, MIDGRAM_CONFIG: "/dev/null" };

/** Wall time of a command in ms; throws when it fails. */
function time(command, args) {
  const t0 = performance.now();
  const r = spawnSync(command, args, {
    env,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) {
    throw new Error(`${command} ${args.join(" ")}: ${r.error ?? r.stderr}`);
  }
  return ms;
}

const script = [join(ROOT, "../shared/peers/kamailio.sh"), "/work/shared/peers/kamailio.sh"]
  .find(existsSync);
const kamcmd = ["/usr/sbin/kamcmd", "/usr/bin/kamcmd"].find(existsSync);
const rundir = join(dir, "kamailio");
let kamailio = null;
let why = !existsSync("/usr/sbin/kamailio")
  ? "no /usr/sbin/kamailio"
  : !script
  ? "no peers/kamailio.sh beside the project"
  : null;
if (!why) {
  const r = spawnSync("sh", [script, "start", rundir], {
    env: { ...env, KAM_CTL_UDP: "24846", KAM_CTL_TCP: "24847", KAM_SIP_PORT: "26870" },
    encoding: "utf8",
  });
  if (r.status === 0) kamailio = rundir;
  else why = `kamailio.sh start failed: ${r.stderr.trim()}`;
}

const serve = spawn(MIDGRAM, ["serve", "-s", join(dir, "mi.sock"), "--log-level", "error"], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
try {
  await new Promise((resolve, reject) => {
    serve.stdout.on("data", (c) => String(c).includes("listening on") && resolve());
    serve.on("exit", (code) => reject(new Error(`midgram serve exited ${code}`)));
  });
  const rows = [
    ["text MI `version`", join(dir, "mi.sock"), "mi", "version", null],
    [
      "binrpc `core.version`",
      kamailio && `unixs:${join(rundir, "ctl.sock")}`,
      "binrpc",
      "core.version",
      "unixs",
    ],
    [
      "JSON-RPC `core.version`",
      kamailio && `unixd:${join(rundir, "jsonrpc.sock")}`,
      "jsonrpc",
      "core.version",
      null,
    ],
  ];
  console.log(
    `${N} requests each; Kamailio: ${
      kamailio
        ? execFileSync("/usr/sbin/kamailio", ["-v"], { encoding: "utf8" }).split("\n")[0]
        : `skipped (${why})`
    }\n`,
  );
  console.log(
    "| requests | server | one `send --batch` | `kamcmd` loop | one-shot `midgram send` loop | batch / kamcmd |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const [label, address, dialect, method, kamcmdSocket] of rows) {
    if (!address) {
      console.log(`| ${label} | — | skipped: ${why} | | | |`);
      continue;
    }
    const file = join(dir, `${dialect}.batch`);
    writeFileSync(file, `${method}\n`.repeat(N));
    const base = ["send", "-s", address, "--dialect", dialect];
    const batch = time(MIDGRAM, [...base, "--batch", file]);
    let loop = null;
    if (kamcmdSocket && kamcmd) {
      loop = time("sh", [
        "-c",
        `i=0; while [ $i -lt ${N} ]; do ${kamcmd} -s ${address} ${method} >/dev/null || exit 1; i=$((i+1)); done`,
      ]);
    }
    const oneShot = time("sh", [
      "-c",
      `i=0; while [ $i -lt ${ONE_SHOTS} ]; do ${MIDGRAM} ${
        base.join(" ")
      } ${method} >/dev/null || exit 1; i=$((i+1)); done`,
    ]) * N / ONE_SHOTS;
    console.log(
      `| ${label} | ${dialect === "mi" ? "midgram serve" : "Kamailio"} | ${batch.toFixed(0)} ms | ${
        loop === null ? "— (kamcmd speaks binrpc only)" : `${loop.toFixed(0)} ms`
      } | ${oneShot.toFixed(0)} ms (${ONE_SHOTS} runs ×${N / ONE_SHOTS}) | ${
        loop === null ? "—" : (batch / loop).toFixed(2)
      } |`,
    );
  }
} finally {
  serve.kill("SIGTERM");
  if (kamailio) spawnSync("sh", [script, "stop", rundir]);
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
}
