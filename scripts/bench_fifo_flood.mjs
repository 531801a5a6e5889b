// A flood on a served FIFO that never completes a request, every number from
// ONE run of this script: the server's memory (RSS) before, at the end of the
// flood, at its peak and after some idle seconds, the rate at which it takes
// the flood in, and whether it answers the next well-formed request.
//
//   * opensips: ":" then bytes with no second ":" (a header that never ends);
//   * kamailio: "{" then bytes with no "}" (a request that never ends: as in
//     Kamailio, the bytes left after the last dropped 8191 spoil the next
//     request, so that one is expected to get no reply).
//
//   node scripts/bench_fifo_flood.mjs [--midgram dist/midgram] [--flavour opensips]
//     [--mib 256] [--seconds 60] (the flood stops at whichever comes first)
//     [--settle 15] (idle seconds before the last RSS reading)
//
// Loopback only (a FIFO in a temporary directory); every loop is bounded;
// asserts nothing.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";

const { values: opts } = parseArgs({
  options: {
    midgram: { type: "string", default: "dist/midgram" },
    flavour: { type: "string", default: "opensips" },
    mib: { type: "string", default: "256" },
    seconds: { type: "string", default: "60" },
    settle: { type: "string", default: "15" },
  },
});
const kamailio = opts.flavour === "kamailio";
const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-flood-"));
const fifo = join(dir, "flood.fifo");

function mib(pid, field) {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

const server = spawn(opts.midgram, [
  "serve",
  "-s",
  `jsonrpc/${kamailio ? "kamailio" : "opensips"}=fifo:${fifo}`,
  "--fifo-reply-dir",
  dir,
], { stdio: ["ignore", "pipe", "pipe"] });
let stderr = "";
server.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-2000)));
try {
  await new Promise((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error("serve not ready in 20 s")), 20_000);
    server.stdout.once("data", () => {
      clearTimeout(limit);
      resolve();
    });
    server.once("exit", () => reject(new Error("serve exited")));
  });
  await sleep(500);
  const before = { rss: mib(server.pid, "VmRSS"), anon: mib(server.pid, "RssAnon") };

  // The server is another process: blocking writes wait for it to read.
  const fd = openSync(fifo, "w");
  const chunk = Buffer.alloc(65536, "g");
  const limitBytes = Number(opts.mib) * 1048576;
  const limitMs = Number(opts.seconds) * 1000;
  let sent = 0;
  let died = false;
  const started = performance.now();
  try {
    writeSync(fd, kamailio ? "{" : ":");
    while (sent < limitBytes && performance.now() - started < limitMs) {
      sent += writeSync(fd, chunk);
    }
  } catch {
    died = true; // EPIPE: nobody reads any more
  }
  const seconds = (performance.now() - started) / 1000;
  closeSync(fd);
  if (died || server.exitCode !== null) {
    await new Promise((resolve) =>
      server.exitCode !== null ? resolve() : server.once("exit", resolve)
    );
    const last = /^\w*Error: .*$/m.exec(stderr)?.[0] ?? `exit ${server.exitCode}`;
    console.log(
      `serve stopped during the flood, after ${(sent / 1048576).toFixed(1)} MiB: ${
        last.slice(0, 200)
      }`,
    );
  } else {
    const end = mib(server.pid, "VmRSS");
    await sleep(Number(opts.settle) * 1000);
    const after = { rss: mib(server.pid, "VmRSS"), anon: mib(server.pid, "RssAnon") };
    const peak = mib(server.pid, "VmHWM");
    const next = spawnSync(opts.midgram, [
      "send",
      "--dialect",
      "jsonrpc",
      ...(kamailio ? ["--flavour", "kamailio"] : []),
      "--reply-dir",
      dir,
      "-t",
      "5s",
      "-s",
      `fifo:${fifo}`,
      kamailio ? "core.uptime" : "uptime",
    ], { encoding: "utf8", timeout: 20_000 });
    const f = (n) => n.toFixed(1);
    console.log(
      `| ${opts.flavour} FIFO, ${f(sent / 1048576)} MiB of one request that never ends | ` +
        `${f(sent / 1048576 / seconds)} MiB/s | RSS ${f(before.rss)} before, ${
          f(end)
        } at the end, ` +
        `${f(peak)} peak, ${f(after.rss)} after ${opts.settle} s idle; anonymous ${
          f(before.anon)
        } → ` +
        `${f(after.anon)} | next request: exit ${next.status} |`,
    );
  }
} finally {
  server.kill("SIGTERM");
  await new Promise((resolve) =>
    server.exitCode !== null ? resolve() : server.once("exit", resolve)
  );
  rmSync(dir, { recursive: true, force: true });
}
