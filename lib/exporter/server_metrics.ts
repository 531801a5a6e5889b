/**
 * `midgram serve --metrics`: the server's own counters (`group:name`, all
 * incremental) as samples, named as the exporter names OpenSIPS's
 * statistics, with the prefix `midgram_server`
 * (`midgram_server_mi_requests_total`). Pure.
 *
 * @module
 */
import { type MetricsHttpServer, parseListen, serveMetricsHttp } from "./http.ts";
import { admitsPeer, parseAllowList } from "../server/_cidr.ts";
import { ConnectionGate } from "../transport/connection_gate.ts";
import { renderSamples } from "./render.ts";
import type { Sample } from "./sample.ts";
import { readStatistics, statisticSamples } from "./statistics.ts";

/**
 * The samples of a server's counters and uptime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverSamples } from "./server_metrics.ts";
 * assert.equal(serverSamples({ "mi:requests": 3 }, 1.5)[0].name, "midgram_server_mi_requests_total");
 * ```
 */
export function serverSamples(stats: Record<string, number>, uptimeSeconds: number): Sample[] {
  const { statistics } = readStatistics(stats, "opensips");
  const flags = new Map(statistics.map((s) => [`${s.group}:${s.name}`, "counter" as const]));
  return [
    ...statisticSamples(statistics, {
      kind: "opensips",
      labels: {},
      flags,
      prefix: "midgram_server",
    })
      .map((s) => ({
        ...s,
        help: `midgram serve counter ${s.help.replace(/^OpenSIPS statistic /, "")}`,
      })),
    {
      name: "midgram_server_uptime_seconds",
      type: "gauge",
      help: "Seconds since the server started",
      labels: {},
      value: uptimeSeconds,
    },
  ];
}

/**
 * Serves a server's counters at `http://LISTEN/metrics` (`midgram serve
 * --metrics`), to the peers of `options.allow` only when it is given.
 *
 * @throws {MidgramError} `usage` for a bad address; `address-in-use`, … when it cannot bind.
 */
export function serveServerMetrics(
  server: { stats(): Record<string, number>; readonly startedAt: Date },
  listen: string,
  title = "midgram serve",
  options: { allow?: string[] } = {},
): Promise<MetricsHttpServer> {
  const allow = options.allow?.length ? admitsPeer(parseAllowList(options.allow)) : null;
  return serveMetricsHttp({
    listen: parseListen(listen),
    title,
    // The server's --allow holds for its metrics too; the exporter's own
    // limits hold the number of connections.
    gate: allow ? new ConnectionGate({ maxConnections: Infinity, admits: allow }) : undefined,
    metrics: (format) =>
      renderSamples(
        serverSamples(server.stats(), (Date.now() - server.startedAt.getTime()) / 1000),
        format,
      ),
  });
}
