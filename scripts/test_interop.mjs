// `npm run test:interop`: the interop tests against real peers, with no
// set-up by hand. Starts its own Kamailio 5.6 (scripts/interop/kamailio.cfg.in:
// ctl and jsonrpcs on every transport, dispatcher, usrloc and htable data) in
// a temporary run directory on free loopback ports, points the tests at it
// (and at kamcmd, kamcli, prometheus and promtool when installed) through the
// MIDGRAM_* variables, runs every test file that reads them on Node and on
// Deno, then stops that Kamailio and removes its directory, whatever happens.
//
//   npm run test:interop              # Node and Deno
//   npm run test:interop -- --node    # one runtime (or --deno)
//   node scripts/test_interop.mjs --peer-only   # start, check, stop; print what it saw (its own test)
//
// Without Kamailio (apt-get install kamailio kamailio-json-modules) the tests
// still run and skip, each saying why.
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { testFiles } from "./_test_files.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const KAMAILIO = process.env.KAMAILIO_BIN ?? "/usr/sbin/kamailio";
/** The variables the interop tests read: a test file that names one is an interop test. */
const VARIABLES = [
  "MIDGRAM_KAMAILIO_RUNDIR",
  "MIDGRAM_KAMCMD",
  "MIDGRAM_KAMCLI",
  "MIDGRAM_PROMETHEUS",
  "MIDGRAM_PROMTOOL",
];

const say = (text) => process.stderr.write(`test:interop: ${text}\n`);

/** A program on PATH, or null. */
function which(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Kamailio's module directory: the one that holds jsonrpcs.so. */
function moduleDir() {
  const candidates = process.env.KAMAILIO_MODULES ? [process.env.KAMAILIO_MODULES] : [];
  try {
    for (const entry of readdirSync("/usr/lib")) {
      if (entry.endsWith("-linux-gnu")) candidates.push(`/usr/lib/${entry}/kamailio/modules`);
    }
  } catch {
    // No /usr/lib: only the named one.
  }
  candidates.push("/usr/lib/kamailio/modules", "/usr/lib64/kamailio/modules");
  return candidates.find((dir) => existsSync(join(dir, "jsonrpcs.so"))) ?? null;
}

/** A port that is free now on 127.0.0.1, for UDP or TCP. */
function freePort(kind) {
  return new Promise((resolve, reject) => {
    if (kind === "udp") {
      const socket = createSocket("udp4");
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
    } else {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    }
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Every test file that reads one of VARIABLES. */
function interopTests() {
  return testFiles(ROOT)
    .filter((path) => VARIABLES.some((v) => readFileSync(join(ROOT, path), "utf8").includes(v)))
    .sort();
}

/** Starts Kamailio; resolves with how to stop it and the variables for the tests. */
async function startKamailio() {
  const modules = moduleDir();
  if (!existsSync(KAMAILIO) || modules === null) {
    say(
      `no Kamailio with jsonrpcs (${KAMAILIO}, jsonrpcs.so): the tests that need it skip ` +
        "(apt-get install kamailio kamailio-json-modules)",
    );
    return null;
  }
  const run = mkdtempSync(join(tmpdir(), "midgram-interop-"));
  chmodSync(run, 0o755); // tests run as another user reach their own sockets in it
  const ports = {
    SIP_PORT: await freePort("udp"),
    CTL_UDP: await freePort("udp"),
    CTL_TCP: await freePort("tcp"),
    HTTP_PORT: await freePort("tcp"),
  };
  const markers = { ...ports, RUN: run, MODULES: modules };
  const config = readFileSync(join(ROOT, "scripts/interop/kamailio.cfg.in"), "utf8")
    .replace(/@([A-Z_]+)@/g, (m, name) => String(markers[name] ?? m));
  writeFileSync(join(run, "kamailio.cfg"), config);
  writeFileSync(
    join(run, "dispatcher.list"),
    "1 sip:127.0.0.1:5070\n1 sip:127.0.0.1:5071\n2 sip:127.0.0.1:5080\n",
  );
  const log = openSync(join(run, "kamailio.log"), "w");
  // -DD: stays in the foreground (its pid is the child's); -E: logs to stderr.
  const child = spawn(KAMAILIO, [
    "-DD",
    "-E",
    "-f",
    join(run, "kamailio.cfg"),
    "-P",
    join(run, "kamailio.pid"),
    "-m",
    "32",
    "-M",
    "8",
    "-w",
    run,
    "-Y",
    run,
  ], { stdio: ["ignore", log, log], detached: true }); // its own process group: see stop()
  let exited = false;
  const gone = new Promise((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    })
  );
  // The whole process group: Kamailio's children outlive a main process that
  // is killed (seen under load: orphans of earlier runs kept running).
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (!exited) {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    }
    // Children still there after the main process ended: end them too.
    signalGroup("SIGKILL");
    rmSync(run, { recursive: true, force: true });
  };
  // Ready when every socket is there and HTTP accepts (at most 20 s).
  const deadline = Date.now() + 20_000;
  while (true) {
    const files = ["ctl.sock", "ctld.sock", "jsonrpc.sock", "jsonrpc.fifo"]
      .every((f) => existsSync(join(run, f)));
    if (files && await accepts(ports.HTTP_PORT)) break;
    if (exited || Date.now() > deadline) {
      say(`Kamailio did not start; its log:\n${readFileSync(join(run, "kamailio.log"), "utf8")}`);
      await stop();
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Data whose replies repeat struct members: two usrloc users, an htable.
  const kamcmd = which("kamcmd");
  const client = kamcmd ? [kamcmd] : [process.execPath, join(ROOT, "cli/bin.ts"), "kamcmd"];
  for (
    const call of [
      [
        "ul.add",
        "location",
        "alice@example.com",
        "sip:alice@127.0.0.1:5090",
        "3600",
        "1.0",
        "s:0",
        "0",
        "0",
        "0",
      ],
      [
        "ul.add",
        "location",
        "bob@example.com",
        "sip:bob@127.0.0.1:5091",
        "3600",
        "1.0",
        "s:0",
        "0",
        "0",
        "0",
      ],
      ["htable.seti", "t", "k1", "1"],
      ["htable.sets", "t", "k2", "two"],
    ]
  ) {
    const r = spawnSync(client[0], [...client.slice(1), "-s", `unixs:${run}/ctl.sock`, ...call], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 20_000,
    });
    if (r.status !== 0) say(`loading data: ${call.join(" ")} failed: ${r.stderr || r.stdout}`);
  }
  say(
    `Kamailio (pid ${child.pid}) in ${run}, ctl udp ${ports.CTL_UDP} tcp ${ports.CTL_TCP}, http ${ports.HTTP_PORT}`,
  );
  return {
    stop,
    pid: child.pid,
    run,
    client,
    env: {
      MIDGRAM_KAMAILIO_RUNDIR: run,
      MIDGRAM_KAMAILIO_CTL_UDP: String(ports.CTL_UDP),
      MIDGRAM_KAMAILIO_CTL_TCP: String(ports.CTL_TCP),
      MIDGRAM_KAMAILIO_HTTP: `http://127.0.0.1:${ports.HTTP_PORT}/RPC`,
    },
  };
}

if (process.argv.includes("--peer-only")) {
  // The peer's life alone, for scripts/test_interop_test.ts: started, its data
  // loaded (the AoRs ul.dump lists), stopped.
  const peer = await startKamailio();
  if (peer === null) process.exit(3);
  let aors = [];
  try {
    const r = spawnSync(
      peer.client[0],
      [...peer.client.slice(1), "-s", `unixs:${peer.run}/ctl.sock`, "ul.dump"],
      { cwd: ROOT, encoding: "utf8", timeout: 20_000 },
    );
    aors = [...r.stdout.matchAll(/AoR: (\S+)/g)].map((m) => m[1]).sort();
  } finally {
    await peer.stop();
  }
  process.stdout.write(JSON.stringify({ pid: peer.pid, run: peer.run, aors }) + "\n");
  process.exit(0);
}

const only = process.argv.includes("--node")
  ? "node"
  : process.argv.includes("--deno")
  ? "deno"
  : null;
const peer = await startKamailio();
let stopping = null;
const onSignal = (signal) => {
  stopping ??= (peer?.stop() ?? Promise.resolve()).then(() =>
    process.exit(128 + (signal === "SIGINT" ? 2 : 15))
  );
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
let status = 0;
try {
  const env = { ...process.env, ...(peer?.env ?? {}) };
  for (
    const [variable, program] of [
      ["MIDGRAM_KAMCMD", "kamcmd"],
      ["MIDGRAM_KAMCLI", "kamcli"],
      ["MIDGRAM_PROMETHEUS", "prometheus"],
      ["MIDGRAM_PROMTOOL", "promtool"],
    ]
  ) {
    const path = which(program);
    if (path) env[variable] = path;
    else say(`no ${program} on PATH: the tests that need it skip`);
  }
  if (!existsSync(join(ROOT, "dist/midgram"))) say("no dist/midgram: run npm run build first");
  const files = interopTests();
  say(`${files.length} test files: ${files.join(" ")}`);
  const runs = [
    ["node", process.execPath, ["scripts/run_node_tests.mjs", "--", ...files]],
    ["deno", join(ROOT, "node_modules/deno/deno"), [
      "test",
      "--unstable-net",
      "--allow-all",
      ...files,
    ]],
  ].filter(([name]) => only === null || only === name);
  for (const [name, program, args] of runs) {
    say(`on ${name}`);
    const r = spawnSync(program, args, { cwd: ROOT, env, stdio: "inherit" });
    if (r.status !== 0) status = r.status ?? 1;
  }
} finally {
  await peer?.stop();
}
process.exit(status);
