// Scrape latency and exporter memory with 1, 10 and 100 targets: one
// in-process `midgram serve` with as many sockets (text MI on UNIX datagram
// sockets and binrpc on UDP, alternately, each found by auto), scraped
// through the exporter's HTTP endpoint like Prometheus does.
//
//   node scripts/bench_exporter.ts [--scrapes 20]
//   ./node_modules/deno/deno run -A --unstable-net scripts/bench_exporter.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { transportClient } from "../lib/exporter/client.ts";
import { createExporter } from "../lib/exporter/exporter.ts";
import { serveMetricsHttp } from "../lib/exporter/http.ts";
import { createServer } from "../lib/server/server.ts";
import { parseSocketSpec } from "../lib/socket_spec.ts";
import { formatAddress } from "../lib/transport/address.ts";
import { defaultTransport } from "../lib/transport/open.ts";

const at = process.argv.indexOf("--scrapes");
const SCRAPES = at > 0 ? Number(process.argv[at + 1]) : 20;
const transport = defaultTransport();
const runtime = "Deno" in globalThis ? "deno" : `node ${process.versions.node}`;
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
const gc = (globalThis as { gc?: () => void }).gc;

console.log(`midgram exporter benchmark (${runtime}), ${SCRAPES} scrapes per row`);
console.log("| targets | series | p50 ms | p95 ms | max ms | body KiB | heap MiB | rss MiB |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const count of [1, 10, 100]) {
  const dir = mkdtempSync(join(tmpdir(), "midgram-bench-exp-"));
  const server = createServer({ transport, children: 16 });
  const targets: string[] = [];
  for (let i = 0; i < count; i++) {
    const bound = i % 2 === 0
      ? await server.listen(join(dir, `mi${i}.sock`), { dialect: "mi" })
      : await server.listen("udp:127.0.0.1:0", { dialect: "binrpc" });
    targets.push(formatAddress(bound));
  }
  const exporter = createExporter({
    targets: targets.map((t) => parseSocketSpec(t, "auto")),
    client: transportClient(transport),
  });
  const http = await serveMetricsHttp({
    listen: { host: "127.0.0.1", port: 0 },
    metrics: (format, timeout) => exporter.metrics(format, timeout),
    title: "bench",
  });
  const url = `http://127.0.0.1:${http.address.port}/metrics`;
  let body = "";
  // The first scrape finds every dialect; it is not counted.
  body = await (await fetch(url)).text();
  const times: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    body = await (await fetch(url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "10" } }))
      .text();
    times.push(performance.now() - started);
  }
  gc?.();
  const memory = process.memoryUsage();
  times.sort((a, b) => a - b);
  const pick = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const series = body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
  const up = body.split("\n").filter((l) => l.startsWith("midgram_target_up{") && l.endsWith(" 1"))
    .length;
  if (up !== count) throw new Error(`only ${up} of ${count} targets up`);
  console.log(
    `| ${count} | ${series} | ${pick(0.5).toFixed(1)} | ${pick(0.95).toFixed(1)} | ${
      times[times.length - 1].toFixed(1)
    } | ${(body.length / 1024).toFixed(0)} | ${mib(memory.heapUsed)} | ${mib(memory.rss)} |`,
  );
  await http.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
