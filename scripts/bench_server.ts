/**
 * Server benchmarks: requests/second and p50/p99 latency of `midgram serve`
 * (the bundle under Node) for `version` and `get_statistics all`, over UNIX
 * and UDP, with 1 and 4 clients, each beside a minimal raw echo server on the
 * same socket kind (the ceiling); `midgram send` one-shot wall time; server
 * memory before and after N requests.
 *
 *   node scripts/bench_server.ts [--seconds 3] [--memory-requests 1000000]
 *
 * Prints numbers and ratios; asserts nothing. Loopback only; every loop is
 * bounded in time or count.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseAddress } from "../lib/transport/address.ts";
import { createNodeTransport } from "../lib/transport/node.ts";
import type { Address } from "../lib/transport/types.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    "memory-requests": { type: "string", default: "1000000" },
  },
});
const SECONDS = Number(values.seconds);
const MEMORY_REQUESTS = Number(values["memory-requests"]);
const transport = createNodeTransport();
const dir = mkdtempSync(join(tmpdir(), "midgram-bench-"));
const children: ChildProcess[] = [];

const ECHO = `
import { createNodeTransport } from "${
  new URL("../lib/transport/node.ts", import.meta.url).pathname
}";
import { parseAddress, formatAddress } from "${
  new URL("../lib/transport/address.ts", import.meta.url).pathname
}";
const t = createNodeTransport();
const reply = new TextEncoder().encode("200 OK\\n\\n");
for (const a of process.argv.slice(2)) {
  const s = await t.bind(parseAddress(a));
  console.log("listening on " + formatAddress(s.address));
  (async () => { for (;;) { const d = await s.receive(); if (d.from) s.send(reply, d.from).catch(() => {}); } })();
}
process.on("SIGTERM", () => process.exit(0));
`;

function start(
  command: string,
  args: string[],
  sockets: number,
): Promise<{ child: ChildProcess; addresses: string[] }> {
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, MIDGRAM_CONFIG: "/dev/null" },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${command} not ready`)), 20_000);
    child.stdout!.on("data", (c) => {
      out += c;
      const lines = out.split("\n").filter((l) => l.startsWith("listening on "));
      if (lines.length === sockets) {
        clearTimeout(timer);
        resolve({ child, addresses: lines.map((l) => l.slice(13)) });
      }
    });
  });
}

/** `clients` lockstep clients, each on its own socket, for SECONDS; latencies in ms. */
async function load(
  address: Address,
  request: Uint8Array,
  clients: number,
): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    const socket = await transport.connectable(address);
    try {
      while (performance.now() < until) {
        const t0 = performance.now();
        await socket.send(request, address);
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error("lost")), 2000);
        try {
          await socket.receive(controller.signal);
        } finally {
          clearTimeout(timer);
        }
        latencies.push(performance.now() - t0);
      }
    } finally {
      await socket.close();
    }
  }));
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / SECONDS,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
  };
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

try {
  const bundle = new URL("../dist/midgram.cjs", import.meta.url).pathname;
  const server = await start(process.execPath, [
    bundle,
    "serve",
    "-s",
    join(dir, "mi.sock"),
    "-s",
    "udp:127.0.0.1:0",
    "--log-level",
    "error",
  ], 2);
  const echoFile = join(dir, "echo.mts");
  writeFileSync(echoFile, ECHO);
  const echo = await start(process.execPath, [
    echoFile,
    join(dir, "echo.sock"),
    "udp:127.0.0.1:0",
  ], 2);
  const requests = {
    "version": new TextEncoder().encode(":version:\n"),
    "get_statistics all": new TextEncoder().encode(":get_statistics:\nall\n"),
  };
  console.log(
    `| request | socket | clients | midgram req/s | p50 ms | p99 ms | raw echo req/s | midgram / echo |`,
  );
  console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const [kind, index] of [["UNIX", 0], ["UDP", 1]] as const) {
    for (const clients of [1, 4]) {
      const ceiling = await load(parseAddress(echo.addresses[index]), requests.version, clients);
      for (const [name, bytes] of Object.entries(requests)) {
        const r = await load(parseAddress(server.addresses[index]), bytes, clients);
        console.log(
          `| ${name} | ${kind} | ${clients} | ${Math.round(r.rps)} | ${r.p50.toFixed(3)} | ${
            r.p99.toFixed(3)
          } | ${Math.round(ceiling.rps)} | ${(r.rps / ceiling.rps).toFixed(2)} |`,
        );
      }
    }
  }

  // One-shot `midgram send` wall time, median of 20, binary and bundle.
  for (
    const [label, command, prefix] of [
      ["dist/midgram send", new URL("../dist/midgram", import.meta.url).pathname, []],
      ["node dist/midgram.cjs send", process.execPath, [bundle]],
    ] as const
  ) {
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      const r = spawnSync(command, [...prefix, "send", "-s", server.addresses[0], "version"], {
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
      if (i > 0) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`\n${label} one-shot wall time: median ${times[10].toFixed(1)} ms (20 runs)`);
  }

  // Memory before and after MEMORY_REQUESTS requests (4 lockstep clients, UNIX).
  const pid = server.child.pid!;
  const before = rssKiB(pid);
  const address = parseAddress(server.addresses[0]);
  const per = Math.ceil(MEMORY_REQUESTS / 4);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 4 }, async () => {
    const socket = await transport.connectable(address);
    for (let i = 0; i < per; i++) {
      await socket.send(requests.version, address);
      await socket.receive();
    }
    await socket.close();
  }));
  const seconds = (performance.now() - t0) / 1000;
  const after = rssKiB(pid);
  console.log(
    `\nserver RSS: ${(before / 1024).toFixed(1)} MiB before, ${
      (after / 1024).toFixed(1)
    } MiB after ` +
      `${per * 4} requests (${Math.round((per * 4) / seconds)} req/s over ${seconds.toFixed(1)} s)`,
  );
} finally {
  for (const child of children) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
