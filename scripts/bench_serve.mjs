// Server benchmarks, every number from ONE run of this script:
//
//   * throughput of `midgram serve` (the single executable) with 1 and 4
//     closed-loop clients: text MI `version` over UNIX and UDP datagrams,
//     JSON-RPC `core.version` (kamailio flavour) and `version` (opensips)
//     over a UNIX datagram socket, binrpc `core.version` over UNIX stream,
//     UNIX datagram, UDP and TCP; beside the real Kamailio 5.6 (`jsonrpcs`
//     and `ctl`, started here when /usr/sbin/kamailio exists) and a raw Node
//     echo server on the same socket kind (the ceiling of any Node server);
//     the CPU time per request (user + system, from /proc) of midgram, of
//     Kamailio (all its processes) and of the echo, and how busy the whole
//     machine was while midgram ran: when it is near 100 %, the closed-loop
//     clients and the server share the cores, and throughput follows the
//     total CPU per request rather than the server's speed alone;
//   * server memory (RSS) before, at peak and after 1,000,000 requests, and
//     around 1,000,000 hostile datagrams (random bytes, 65,000-byte ones,
//     unknown commands with ever new names, valid requests; bursts from 4
//     clients over UNIX and UDP), with the number of counters before/after.
//
// The load client is scripts/bench_load.c (ours), compiled here with `cc`;
// without a C compiler the script says so and stops. Loopback only; every
// loop is bounded; asserts nothing.
//
//   node scripts/bench_serve.mjs [--seconds 3] [--midgram dist/midgram]
//     [--requests 1000000] [--hostile 1000000] [--skip-memory] [--skip-throughput]
//     [--settle 30]   (seconds of idle before the last RSS reading)
//     [--floods 1]    (hostile floods in a row, a row each: does RSS grow from one to the next?)
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RUNTIME_NODE } from "./_runtime.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    midgram: { type: "string", default: join(ROOT, "dist/midgram") },
    requests: { type: "string", default: "1000000" },
    hostile: { type: "string", default: "1000000" },
    "skip-memory": { type: "boolean", default: false },
    "skip-throughput": { type: "boolean", default: false },
    settle: { type: "string", default: "30" },
    floods: { type: "string", default: "1" },
  },
});
const SETTLE = Number(opts.settle);
const SECONDS = Number(opts.seconds);
const MIDGRAM = opts.midgram;
const dir = mkdtempSync(join(tmpdir(), "midgram-bench-"));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const LOAD = join(dir, "bench_load");
const cc = spawnSync("cc", ["-O2", "-o", LOAD, join(ROOT, "scripts/bench_load.c")], {
  encoding: "utf8",
});
if (cc.error || cc.status !== 0) {
  console.error(`Cannot run the benchmark: no working C compiler (cc) for the load client:`);
  console.error(String(cc.error ?? cc.stderr));
  process.exit(2);
}

/** Starts a process and waits until it printed `lines` "listening on" lines (or `ready`). */
function start(command, args, lines, env = {}) {
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${command} not ready: ${out}`)), 20_000);
    child.stdout.on("data", (c) => {
      out += c;
      if (out.split("\n").filter((l) => l.startsWith("listening on")).length >= lines) {
        clearTimeout(timer);
        child.output = out;
        resolve(child);
      }
    });
    child.on("exit", (code) => reject(new Error(`${command} exited ${code}: ${out}`)));
  });
}

/** CPU time (user + system) of a process in ms, from /proc. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

/** CPU time in ms of every process whose command name is `name` (Kamailio forks many). */
function cpuMsByName(name) {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === name) total += cpuMs(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** Busy and total clock ticks of the whole machine, from /proc/stat. */
function machineTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3] + ticks[4]; // idle + iowait
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Runs `work` and returns its result with the CPU ms `measure` counted meanwhile. */
async function withCpu(measure, work) {
  const before = measure();
  const result = await work();
  return { result, cpuMs: measure() - before };
}

function rssMiB(pid, field = "VmRSS") {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}
/** Anonymous RSS: without the executable's own pages, which the kernel can drop and reload. */
const anonMiB = (pid) => rssMiB(pid, "RssAnon");

/** Runs the load client; resolves its JSON line. */
function load(mode, address, requestFile, clients, seconds = SECONDS) {
  return new Promise((resolve, reject) => {
    const child = spawn(LOAD, [mode, address, requestFile, String(clients), String(seconds)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c) => out += c);
    child.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`bench_load ${mode} ${address} exited ${code}`));
    });
  });
}

// The raw echo servers: what Node itself costs per datagram or packet, on
// the same native addon (UNIX datagram), node:dgram and node:net.
const ECHO = `
const { createRequire } = require("node:module");
const dgram = require("node:dgram");
const net = require("node:net");
const b = createRequire(${JSON.stringify(join(ROOT, "package.json"))})(
  "unix-dgram/build/Release/unix_dgram.node");
const [unixPath, streamPath] = process.argv.slice(2);
const fd = b.socket(b.AF_UNIX, b.SOCK_DGRAM, 0, (status, data, from) => {
  if (status >= 0 && from) b.sendto(fd, data, 0, data.length, from);
}, () => {});
b.bind(fd, unixPath);
console.log("listening on unix:" + unixPath);
const udp = dgram.createSocket("udp4");
udp.on("message", (m, r) => udp.send(m, r.port, r.address));
udp.bind(0, "127.0.0.1", () => console.log("listening on udp:127.0.0.1:" + udp.address().port));
const echo = (c) => c.on("data", (d) => c.write(d)).on("error", () => {});
net.createServer(echo).listen(streamPath, () => console.log("listening on unixs:" + streamPath));
const tcp = net.createServer(echo).listen(0, "127.0.0.1", () =>
  console.log("listening on tcp:127.0.0.1:" + tcp.address().port));
process.on("SIGTERM", () => process.exit(0));
`;

/** Starts a private Kamailio with the peers' script, or says why not. */
function startKamailio() {
  const script = [join(ROOT, "../shared/peers/kamailio.sh"), "/work/shared/peers/kamailio.sh"]
    .find(existsSync);
  if (!existsSync("/usr/sbin/kamailio")) return { why: "no /usr/sbin/kamailio" };
  if (!script) return { why: "no peers/kamailio.sh beside the project" };
  const rundir = join(dir, "kamailio");
  // Its ports: KAM_CTL_UDP, KAM_CTL_TCP and KAM_SIP_PORT when set (a shared
  // machine gives each user its own), else these.
  const env = {
    ...process.env,
    KAM_CTL_UDP: process.env.KAM_CTL_UDP ?? "23846",
    KAM_CTL_TCP: process.env.KAM_CTL_TCP ?? "23847",
    KAM_SIP_PORT: process.env.KAM_SIP_PORT ?? "25870",
  };
  delete env.KAM_HTTP_PORT;
  const r = spawnSync("sh", [script, "start", rundir], { env, encoding: "utf8" });
  if (r.status !== 0) return { why: `kamailio.sh start failed: ${r.stderr.trim()}` };
  return {
    rundir,
    udp: `127.0.0.1:${env.KAM_CTL_UDP}`,
    tcp: `127.0.0.1:${env.KAM_CTL_TCP}`,
    stop: () => spawnSync("sh", [script, "stop", rundir]),
    version: execFileSync("/usr/sbin/kamailio", ["-v"], { encoding: "utf8" }).split("\n")[0],
  };
}

const requests = {
  mi: ":version:\n",
  jsonrpcKamailio: '{"jsonrpc":"2.0","method":"core.version","id":1}',
  jsonrpcOpensips: '{"jsonrpc":"2.0","method":"version","id":1}',
  // core.version, cookie 0x049ddb91 (as kamcmd writes it; written by our client codec).
  binrpc: Uint8Array.of(
    0xa1,
    0x03,
    0x0f,
    0x1a,
    0x04,
    0x9d,
    0xdb,
    0x91,
    0x0d,
    ...Buffer.from("core.version\0"),
  ),
};
const files = {};
for (const [name, bytes] of Object.entries(requests)) {
  files[name] = join(dir, `req_${name}`);
  writeFileSync(files[name], bytes);
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
let kam = { why: "not started" };
try {
  const sock = (name) => join(dir, name);
  const server = await start(MIDGRAM, [
    "serve",
    "-s",
    sock("mi.sock"),
    "-s",
    "udp:127.0.0.1:23901",
    "-s",
    `jsonrpc/kamailio=${sock("jk.sock")}`,
    "-s",
    `jsonrpc/opensips=${sock("jo.sock")}`,
    "-s",
    `binrpc=unixs:${sock("bs.sock")}`,
    "-s",
    `binrpc=unixd:${sock("bd.sock")}`,
    "-s",
    "binrpc=udp:127.0.0.1:23902",
    "-s",
    "binrpc=tcp:127.0.0.1:23903",
    "--log-level",
    "error",
  ], 8);
  const pid = server.pid;

  if (!opts["skip-throughput"]) {
    const echoFile = join(dir, "echo.cjs");
    writeFileSync(echoFile, ECHO);
    // On the runtime the executable embeds (node_modules' unix-dgram is built for it).
    const echoChild = await start(RUNTIME_NODE, [
      echoFile,
      sock("echo.sock"),
      sock("echos.sock"),
    ], 4);
    const echoOut = echoChild.output;
    const echoUdp = /listening on udp:(\S+)/.exec(echoOut)?.[1];
    const echoTcp = /listening on tcp:(\S+)/.exec(echoOut)?.[1];
    kam = startKamailio();
    const k = kam.rundir;
    console.log(
      `midgram serve (${MIDGRAM}), ${SECONDS} s per row; Kamailio: ${
        k ? kam.version : `skipped (${kam.why})`
      }; echo = raw Node echo on the same socket kind\n`,
    );
    const rows = [
      ["MI `version`", "UNIX dgram", "unix", sock("mi.sock"), "mi", null, [
        "unix",
        sock("echo.sock"),
      ]],
      ["MI `version`", "UDP", "udp", "127.0.0.1:23901", "mi", null, ["udp", echoUdp]],
      [
        "JSON-RPC `core.version` (kamailio)",
        "UNIX dgram",
        "unix",
        sock("jk.sock"),
        "jsonrpcKamailio",
        k && ["unix", join(k, "jsonrpc.sock")],
        ["unix", sock("echo.sock")],
      ],
      [
        "JSON-RPC `version` (opensips)",
        "UNIX dgram",
        "unix",
        sock("jo.sock"),
        "jsonrpcOpensips",
        null,
        ["unix", sock("echo.sock")],
      ],
      [
        "binrpc `core.version`",
        "UNIX stream",
        "unixs",
        sock("bs.sock"),
        "binrpc",
        k && ["unixs", join(k, "ctl.sock")],
        ["unixs", sock("echos.sock")],
      ],
      [
        "binrpc `core.version`",
        "UNIX dgram",
        "unix",
        sock("bd.sock"),
        "binrpc",
        k && ["unix", join(k, "ctld.sock")],
        ["unix", sock("echo.sock")],
      ],
      [
        "binrpc `core.version`",
        "UDP",
        "udp",
        "127.0.0.1:23902",
        "binrpc",
        k && ["udp", kam.udp],
        ["udp", echoUdp],
      ],
      [
        "binrpc `core.version`",
        "TCP",
        "tcp",
        "127.0.0.1:23903",
        "binrpc",
        k && ["tcp", kam.tcp],
        ["tcp", echoTcp],
      ],
    ];
    console.log(
      "| request | socket | clients | midgram req/s | p50 ms | p99 ms | CPU µs/req | machine busy | Kamailio req/s | Kamailio CPU µs/req | midgram / Kamailio | echo req/s | echo CPU µs/req | midgram / echo |",
    );
    console.log(
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const [label, socket, mode, address, request, peer, echo] of rows) {
      for (const clients of [1, 4]) {
        const ticks0 = machineTicks();
        const { result: m, cpuMs: mCpu } = await withCpu(
          () => cpuMs(pid),
          () => load(mode, address, files[request], clients),
        );
        const ticks1 = machineTicks();
        const busy = (ticks1.busy - ticks0.busy) / Math.max(1, ticks1.total - ticks0.total);
        const perRequest = (ms, r) => (ms * 1000 / Math.max(1, r.requests)).toFixed(1);
        const kamailio = peer
          ? await withCpu(
            () => cpuMsByName("kamailio"),
            () => load(peer[0], peer[1], files[request], clients),
          )
          : null;
        const p = kamailio?.result ?? null;
        const { result: e, cpuMs: eCpu } = await withCpu(
          () => cpuMs(echoChild.pid),
          () => load(echo[0], echo[1], files[request], clients),
        );
        console.log(
          `| ${label} | ${socket} | ${clients} | ${fmt(m.rps)} | ${m.p50.toFixed(3)} | ${
            m.p99.toFixed(3)
          } | ${perRequest(mCpu, m)} | ${(100 * busy).toFixed(0)} % | ${p ? fmt(p.rps) : "—"} | ${
            p ? perRequest(kamailio.cpuMs, p) : "—"
          } | ${p ? (m.rps / p.rps).toFixed(2) : "—"} | ${fmt(e.rps)} | ${perRequest(eCpu, e)} | ${
            (m.rps / e.rps).toFixed(2)
          } |${
            m.timeouts + (p?.timeouts ?? 0) ? ` timeouts: ${m.timeouts}/${p?.timeouts ?? 0}` : ""
          }`,
        );
      }
    }
    kam.stop?.();
    echoChild.kill("SIGTERM");
  }

  if (!opts["skip-memory"]) {
    const counters = () => {
      const r = spawnSync(MIDGRAM, ["send", "-s", sock("mi.sock"), "get_statistics", "all"], {
        encoding: "utf8",
      });
      return r.stdout.split("\n").filter((l) => l.includes(":: ")).length;
    };
    /** Runs `work` while sampling RSS every 100 ms; prints before, peak and after. */
    const around = async (label, work) => {
      await sleep(500);
      const before = rssMiB(pid);
      const anonBefore = anonMiB(pid);
      const statsBefore = counters();
      let peak = before;
      const sampler = setInterval(() => peak = Math.max(peak, rssMiB(pid)), 100);
      const t0 = performance.now();
      const what = await work();
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      await sleep(2000);
      const after = rssMiB(pid);
      // V8 gives memory back once the process has been idle a while: say how much.
      await sleep(SETTLE * 1000);
      const settled = rssMiB(pid);
      const anonSettled = anonMiB(pid);
      console.log(
        `| ${label} | ${what} in ${seconds.toFixed(1)} s | ${before.toFixed(1)} | ${
          peak.toFixed(1)
        } | ${after.toFixed(1)} | ${settled.toFixed(1)} | ${anonBefore.toFixed(1)} → ${
          anonSettled.toFixed(1)
        } | ${statsBefore} → ${counters()} |`,
      );
    };
    const N = Number(opts.requests);
    const H = Number(opts.hostile);
    console.log(
      `\n| server memory (RSS MiB) | load | before | peak | after 2 s | after ${SETTLE} s idle | anonymous RSS before → after idle | counters |`,
    );
    console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    await around(`${fmt(N)} \`version\` requests, 4 clients, UNIX`, async () => {
      let done = 0;
      while (done < N) done += (await load("unix", sock("mi.sock"), files.mi, 4, 5)).requests;
      return `${fmt(done)} requests`;
    });
    for (let flood = 1; flood <= Number(opts.floods); flood++) {
      await around(
        `${fmt(H)} hostile datagrams, 4 clients, UNIX + UDP${
          Number(opts.floods) > 1 ? ` (flood ${flood})` : ""
        }`,
        async () => {
          const run = (mode, address) =>
            new Promise((resolve) => {
              const c = spawn(LOAD, [mode, address, String(H / 2), "4", "0"], {
                stdio: ["ignore", "pipe", "inherit"],
              });
              let out = "";
              c.stdout.on("data", (d) => out += d);
              c.on("exit", () => resolve(JSON.parse(out)));
            });
          const a = await run("flood-unix", sock("mi.sock"));
          const b = await run("flood-udp", "127.0.0.1:23901");
          return `${fmt(a.sent + b.sent)} sent (${fmt(a.refused + b.refused)} refused by the OS)`;
        },
      );
    }
  }
} finally {
  kam.stop?.();
  for (const child of children) child.kill("SIGTERM");
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
