/**
 * The exporter against live servers: `midgram serve` in each dialect
 * (standing in for OpenSIPS 2.4, OpenSIPS 3 and Kamailio), the real
 * Kamailio 5.6 when `MIDGRAM_KAMAILIO_RUNDIR` names a running one, checked
 * with `promtool` and scraped by a real Prometheus where they are installed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "../server/server.ts";
import { defaultTransport } from "../transport/open.ts";
import { formatAddress } from "../transport/address.ts";
import { parseSocketSpec } from "../socket_spec.ts";
import { transportClient } from "./client.ts";
import { createExporter } from "./exporter.ts";
import { serveMetricsHttp } from "./http.ts";
import { EXAMPLE_MAPPINGS } from "./mapping.ts";
import { serveServerMetrics } from "./server_metrics.ts";

const transport = defaultTransport();
const hasTool = (name: string) =>
  spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
const HAS_PROMTOOL = hasTool("promtool");
const HAS_PROMETHEUS = hasTool("prometheus");

/** Runs `promtool check metrics` on a text; resolves to its exit status and output. */
function promtoolCheck(text: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output }));
    child.stdin.end(text);
  });
}

/** The value of a series in the text format, or undefined. */
function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return undefined;
}

/** A midgram serve in-process with a socket of every dialect it can serve now. */
async function standIns(dir: string) {
  const server = createServer({ transport });
  const targets: Array<{ text: string; dialect: string; prefix: string }> = [];
  const add = async (
    address: string,
    dialect: "mi" | "jsonrpc" | "binrpc" | "ctlfifo",
    flavour?: "opensips" | "kamailio",
  ) => {
    try {
      const bound = await server.listen(address, { dialect, flavour });
      const text = formatAddress(bound);
      targets.push({
        text,
        dialect,
        prefix: flavour === "kamailio" || dialect === "binrpc" || dialect === "ctlfifo"
          ? "kamailio"
          : "opensips",
      });
    } catch (error) {
      // A dialect this build cannot serve yet (JSON-RPC lands separately).
      if (!(error instanceof TypeError)) throw error;
    }
  };
  await add(join(dir, "mi.sock"), "mi"); // OpenSIPS 2.4
  await add("udp:127.0.0.1:0", "mi");
  await add(join(dir, "ops3.sock"), "jsonrpc", "opensips"); // OpenSIPS 3
  await add(join(dir, "kam.sock"), "jsonrpc", "kamailio"); // Kamailio jsonrpcs
  await add("udp:127.0.0.1:0", "binrpc"); // Kamailio ctl
  await add(join(dir, "ctld.sock"), "binrpc");
  await add("udp:127.0.0.1:0", "ctlfifo"); // ctl's FIFO protocol, its struct lines read back
  return { server, targets };
}

test("exporter scrapes midgram serve in each dialect, found by auto, and promtool accepts it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-exp-"));
  const { server, targets } = await standIns(dir);
  const dead = join(dir, "nobody.sock");
  const exporter = createExporter({
    targets: [...targets.map((x) => x.text), dead].map((x) => parseSocketSpec(x, "auto")),
    client: transportClient(transport),
  });
  const http = await serveMetricsHttp({
    listen: { host: "127.0.0.1", port: 0 },
    metrics: (format, timeout) => exporter.metrics(format, timeout),
    title: "test",
  });
  try {
    const base = `http://127.0.0.1:${http.address.port}`;
    const res = await fetch(`${base}/metrics`, {
      headers: { "X-Prometheus-Scrape-Timeout-Seconds": "2" },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const target of targets) {
      const labels = { target: target.text, dialect: target.dialect };
      assert.equal(valueOf(text, "midgram_target_up", labels), 1, `${target.text} is up`);
      assert.ok(
        (valueOf(text, `${target.prefix}_uptime_seconds`, labels) ?? -1) >= 0,
        `${target.text} has an uptime`,
      );
    }
    assert.equal(valueOf(text, "midgram_target_up", { target: dead }), 0);
    assert.equal(valueOf(text, "midgram_target_scrape_failures_total", { target: dead }), 1);
    // Counters of the stand-in as OpenSIPS 2.4 (list_statistics: incremental).
    assert.match(text, /^opensips_mi_requests_total\{target="[^"]*mi\.sock",dialect="mi"\} \d+$/m);
    assert.match(text, /^kamailio_binrpc_requests_total\{/m);
    assert.match(text, /^kamailio_ctlfifo_requests_total\{[^}]*dialect="ctlfifo"\} \d+$/m);
    if (HAS_PROMTOOL) {
      const { status, output } = await promtoolCheck(text);
      assert.equal(status, 0, output);
    } else t.diagnostic("promtool is not installed: the output was not checked with it");

    const om = await fetch(`${base}/metrics`, {
      headers: { Accept: "application/openmetrics-text; version=1.0.0" },
    });
    assert.match(om.headers.get("content-type") ?? "", /^application\/openmetrics-text/);
    assert.match(await om.text(), /\n# EOF\n$/);
    const healthy = await fetch(`${base}/-/healthy`);
    assert.equal(await healthy.text(), "OK\n");
    const landing = await fetch(`${base}/`);
    assert.match(await landing.text(), /<a href="\/metrics">/);
    const missing = await fetch(`${base}/nothing`);
    await missing.body?.cancel();
    assert.equal(missing.status, 404);
    const post = await fetch(`${base}/metrics`, { method: "POST", body: "x" });
    await post.body?.cancel();
    assert.equal(post.status, 405);
  } finally {
    await http.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("exporter keeps a scrape within X-Prometheus-Scrape-Timeout-Seconds when a target never answers", async () => {
  // A UDP socket that never answers.
  const bound = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
  const exporter = createExporter({
    targets: [parseSocketSpec(formatAddress(bound.address), "auto")],
    client: transportClient(transport),
  });
  try {
    const started = performance.now();
    const samples = await exporter.collect(500);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 500, `took ${elapsed} ms`);
    const up = samples.find((s) => s.name === "midgram_target_up");
    assert.equal(up?.value, 0);
  } finally {
    await bound.close();
  }
});

test("serveServerMetrics() serves midgram serve's own counters", async () => {
  const server = createServer({ transport });
  await server.handle(new TextEncoder().encode(":version:\n\n"));
  const http = await serveServerMetrics(server, "127.0.0.1:0");
  try {
    const text = await (await fetch(`http://127.0.0.1:${http.address.port}/metrics`)).text();
    assert.match(text, /^midgram_server_mi_requests_total 1$/m);
    assert.match(text, /^midgram_server_uptime_seconds \d/m);
  } finally {
    await http.close();
    await server.close();
  }
});

const rundir = process.env.MIDGRAM_KAMAILIO_RUNDIR;

test("exporter scrapes the real Kamailio 5.6 over binrpc and jsonrpcs", {
  skip: rundir
    ? false
    : "MIDGRAM_KAMAILIO_RUNDIR is not set (run a Kamailio with ctl and jsonrpcs)",
}, async (t) => {
  const specs: Array<[string, string]> = [
    [`${rundir}/ctld.sock`, "binrpc"], // binrpc over UNIX datagram, found by auto
    [`unixs:${rundir}/ctl.sock`, "binrpc"], // binrpc over UNIX stream
    [`${rundir}/jsonrpc.sock`, "jsonrpc"], // jsonrpcs over UNIX datagram, found by auto
    [`fifo:${rundir}/jsonrpc.fifo`, "jsonrpc"], // jsonrpcs over its FIFO
  ];
  const env = process.env;
  if (env.MIDGRAM_KAMAILIO_CTL_TCP) {
    specs.push([`tcp:127.0.0.1:${env.MIDGRAM_KAMAILIO_CTL_TCP}`, "binrpc"]);
  }
  if (env.MIDGRAM_KAMAILIO_CTL_UDP) {
    specs.push([`udp:127.0.0.1:${env.MIDGRAM_KAMAILIO_CTL_UDP}`, "binrpc"]);
  }
  if (env.MIDGRAM_KAMAILIO_HTTP) specs.push([env.MIDGRAM_KAMAILIO_HTTP, "jsonrpc"]);
  const unsupported = new Set<string>();
  const parsed = specs.flatMap(([s]) => {
    try {
      return [parseSocketSpec(s, "auto")];
    } catch {
      // An address form this build cannot read yet (stream sockets land separately).
      t.diagnostic(`${s}: this build cannot read the address yet`);
      return [];
    }
  });
  const exporter = createExporter({
    targets: parsed,
    client: transportClient(transport),
    mappings: [EXAMPLE_MAPPINGS["kamailio-tm"]],
    fifoReplyDir: rundir, // jsonrpcs's fifo_reply_dir in the peer's config
    onError: (target, _method, error) => {
      // Transports and codecs that land separately: reported, not failed.
      if (/not (supported|available) yet/.test(String((error as Error).message))) {
        unsupported.add(target);
      }
    },
  });
  const { text } = await exporter.metrics("prometheus", 5000);
  for (const spec of parsed) {
    const target = spec.text;
    if (unsupported.has(target)) {
      t.diagnostic(`${target}: this build cannot reach it yet`);
      continue;
    }
    const labels = { target, dialect: specs.find(([s]) => s.endsWith(target))![1] };
    assert.equal(valueOf(text, "midgram_target_up", labels), 1, `${target} is up`);
    assert.ok((valueOf(text, "kamailio_shmem_total_size", labels) ?? 0) > 0);
    assert.ok((valueOf(text, "kamailio_processes", labels) ?? 0) > 1);
    assert.notEqual(valueOf(text, "kamailio_core_rcv_requests_total", labels), undefined);
    assert.notEqual(valueOf(text, "kamailio_tm_current", labels), undefined);
    assert.notEqual(valueOf(text, "kamailio_pkmem_used_size", labels), undefined);
  }
  if (HAS_PROMTOOL) {
    const { status, output } = await promtoolCheck(text);
    assert.equal(status, 0, output);
  }
});

const withData = process.env.MIDGRAM_KAMAILIO_DATA;

test(
  "exporter's Kamailio examples give the same series over binrpc and JSON-RPC from the real Kamailio",
  {
    skip: !rundir
      ? "MIDGRAM_KAMAILIO_RUNDIR is not set (run a Kamailio with ctl and jsonrpcs)"
      : !withData
      ? "MIDGRAM_KAMAILIO_DATA is not set (start the peer with KAM_WITH_DATA=1: dispatcher sets)"
      : false,
  },
  async () => {
    const targets = [`unixs:${rundir}/ctl.sock`, `${rundir}/ctld.sock`, `${rundir}/jsonrpc.sock`]
      .map((s) => parseSocketSpec(s, "auto"));
    const errors: string[] = [];
    const exporter = createExporter({
      targets,
      client: transportClient(transport),
      mappings: ["kamailio-dispatcher", "kamailio-tm"].map((n) => EXAMPLE_MAPPINGS[n]),
      onError: (target, method, error) => errors.push(`${target} ${method}: ${error}`),
    });
    const { text } = await exporter.metrics("prometheus", 5000);
    const series = (target: string) =>
      text.split("\n").filter((l) =>
        /^kamailio_(dispatcher_target_up|tm_current|tm_waiting)\{/.test(l) &&
        l.includes(`target="${target}"`)
      ).map((l) => l.replace(/target="[^"]*",dialect="[^"]*",?/, "")).sort();
    const binrpc = series(targets[0].text);
    // The peer's dispatcher: set 1 with two destinations, set 2 with one.
    assert.deepEqual(binrpc.filter((l) => l.startsWith("kamailio_dispatcher")), [
      'kamailio_dispatcher_target_up{set="1",uri="sip:127.0.0.1:5070"} 1',
      'kamailio_dispatcher_target_up{set="1",uri="sip:127.0.0.1:5071"} 1',
      'kamailio_dispatcher_target_up{set="2",uri="sip:127.0.0.1:5080"} 1',
    ], errors.join("\n"));
    assert.deepEqual(series(targets[1].text), binrpc);
    assert.deepEqual(series(targets[2].text), binrpc);
  },
);

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test("a real Prometheus scrapes the exporter and answers a query", {
  skip: HAS_PROMETHEUS ? false : "prometheus is not installed (.ci/run installs it)",
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-prom-"));
  const { server, targets } = await standIns(dir);
  const exporter = createExporter({
    targets: targets.map((x) => parseSocketSpec(x.text, "auto")),
    client: transportClient(transport),
  });
  // Resolves at the second scrape: the first one's samples are stored by then.
  let scrapes = 0;
  let scraped!: () => void;
  const twice = new Promise<void>((resolve) => (scraped = resolve));
  const http = await serveMetricsHttp({
    listen: { host: "127.0.0.1", port: 0 },
    metrics: async (format, timeout) => {
      const result = await exporter.metrics(format, timeout);
      if (++scrapes === 2) scraped();
      return result;
    },
    title: "test",
  });
  const port = await freePort();
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:\n  scrape_interval: 2s\n  scrape_timeout: 1800ms\nscrape_configs:\n` +
      `  - job_name: midgram\n    static_configs:\n      - targets: ["127.0.0.1:${http.address.port}"]\n`,
  );
  const prometheus = spawn("prometheus", [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  prometheus.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => prometheus.once("close", () => resolve()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      twice,
      exited.then(() => Promise.reject(new Error(`prometheus exited: ${log}`))),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no two scrapes within 30 s: ${log}`)), 30_000);
      }),
    ]);
    // Every target up in at least one stored scrape (a first scrape on a loaded
    // machine may find one slow).
    const query = encodeURIComponent("sum(max_over_time(midgram_target_up[5m]))");
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${query}`);
    const body = await res.json() as {
      status: string;
      data: { result: Array<{ value: [number, string] }> };
    };
    assert.equal(body.status, "success");
    assert.equal(Number(body.data.result[0]?.value[1]), targets.length);
  } finally {
    clearTimeout(timer);
    prometheus.kill("SIGTERM");
    await exited;
    await http.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
