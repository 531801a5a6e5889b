/**
 * The Prometheus exporter: scrapes OpenSIPS and Kamailio targets of every
 * dialect at once and serves their statistics as metrics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSamples, statisticSamples } from "./mod.ts";
 * const samples = statisticSamples([{ group: "core", name: "rcv_requests", value: 7 }], {
 *   kind: "kamailio",
 *   labels: { target: "udp:127.0.0.1:2046", dialect: "binrpc" },
 * });
 * const { text } = await renderSamples(samples, "prometheus");
 * assert.equal(text.includes('kamailio_core_rcv_requests_total{target="udp:127.0.0.1:2046",dialect="binrpc"} 7'), true);
 * ```
 *
 * @module
 */
export * from "./sample.ts";
export * from "./render.ts";
export * from "./server_kind.ts";
export * from "./statistics.ts";
export * from "./path.ts";
export * from "./mapping.ts";
export * from "./process_metrics.ts";
export * from "./client.ts";
export * from "./target.ts";
export * from "./exporter.ts";
export * from "./http.ts";
export * from "./server_metrics.ts";
export * from "./config.ts";
