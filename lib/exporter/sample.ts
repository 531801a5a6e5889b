/**
 * The exporter's neutral form of a metric: one sample with its family's
 * name, type and help. Every source (statistics, process-wide RPCs, RPC
 * mappings, the exporter's own series, `midgram serve`'s counters) makes
 * samples; {@linkcode renderSamples} alone writes them out.
 *
 * @module
 */

/** Whether a family only goes up (restarts aside) or goes up and down. */
export type MetricType = "counter" | "gauge";

/** One sample: a metric name, its labels and a value. */
export interface Sample {
  /** A valid metric name; counters end in `_total`. */
  name: string;
  type: MetricType;
  /** The family's help text (the first sample's wins). */
  help: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** The metric name rule of the exposition formats. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** The label name rule of the exposition formats (and no reserved `__` prefix). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Makes any text a valid name part: every character outside
 * `[a-zA-Z0-9_]` becomes `_`, and a leading digit gets a `_` before it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sanitizeName } from "./sample.ts";
 * assert.equal(sanitizeName("location-users"), "location_users");
 * assert.equal(sanitizeName("1xx_replies"), "_1xx_replies");
 * ```
 */
export function sanitizeName(text: string): string {
  const clean = text.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(clean) || clean === "" ? `_${clean}` : clean;
}

/**
 * The name of a counter: `_total` added unless it is there already.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { counterName } from "./sample.ts";
 * assert.equal(counterName("kamailio_core_rcv_requests"), "kamailio_core_rcv_requests_total");
 * ```
 */
export function counterName(name: string): string {
  return name.endsWith("_total") ? name : `${name}_total`;
}
