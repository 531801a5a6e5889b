/**
 * Writes samples in the Prometheus text format or in OpenMetrics, with
 * prom-client: a fresh registry per scrape, one family per name.
 *
 * @module
 */
import type { RegistryContentType } from "prom-client";
import type { Sample } from "./sample.ts";

/** The two exposition formats. */
export type ExpositionFormat = "prometheus" | "openmetrics";

/** The content type of each format, as prom-client writes them. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, RegistryContentType>> = {
  prometheus: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/**
 * prom-client, loaded at the first scrape: it loads `node:http` (for its
 * push gateway), which cannot be part of the start-up snapshot of
 * `dist/midgram`, and other commands never need it.
 */
let promClient: Promise<typeof import("prom-client")> | undefined;

/**
 * The format a scraper asks for in its `Accept` header: OpenMetrics when it
 * names `application/openmetrics-text` (with a q above 0), else the text format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { negotiateFormat } from "./render.ts";
 * assert.equal(negotiateFormat("application/openmetrics-text;version=1.0.0,text/plain;q=0.5"), "openmetrics");
 * assert.equal(negotiateFormat(undefined), "prometheus");
 * ```
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  for (const part of (accept ?? "").split(",")) {
    const [type, ...params] = part.trim().split(";").map((s) => s.trim());
    if (type.toLowerCase() !== "application/openmetrics-text") continue;
    const q = params.find((p) => p.startsWith("q="));
    if (q === undefined || Number(q.slice(2)) > 0) return "openmetrics";
  }
  return "prometheus";
}

/**
 * Renders samples. Families keep the order in which their first sample
 * came; a sample whose name is already a family of the other type, or whose
 * counter value is negative, is left out (counted in the result).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSamples } from "./render.ts";
 * const { text } = await renderSamples([
 *   { name: "x_total", type: "counter", help: "X", labels: { a: "1" }, value: 2 },
 * ], "prometheus");
 * assert.equal(text.includes('x_total{a="1"} 2'), true);
 * ```
 */
export async function renderSamples(
  samples: Iterable<Sample>,
  format: ExpositionFormat,
): Promise<{ text: string; contentType: string; dropped: number }> {
  const families = new Map<string, { type: string; help: string; samples: Sample[] }>();
  let dropped = 0;
  const seen = new Set<string>();
  for (const sample of samples) {
    // Two samples of one series (names equal after sanitising): the first stays.
    const key = `${sample.name}\u0000${
      Object.entries(sample.labels).sort(([a], [b]) => a < b ? -1 : 1).flat().join("\u0000")
    }`;
    if (seen.has(key)) {
      dropped++;
      continue;
    }
    seen.add(key);
    // OpenMetrics names a counter family without `_total`; two families may not meet there.
    const family = families.get(sample.name);
    if (family === undefined) {
      families.set(sample.name, { type: sample.type, help: sample.help, samples: [sample] });
    } else if (family.type !== sample.type) dropped++;
    else family.samples.push(sample);
  }
  const { Counter, Gauge, Registry } = await (promClient ??= import("prom-client"));
  // prom-client's types bind a registry to one content type; the format is chosen per scrape.
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(CONTENT_TYPES[format]);
  const taken = new Set<string>();
  for (const [name, family] of families) {
    const base = family.type === "counter" ? name.replace(/_total$/, "") : name;
    if (taken.has(base) || taken.has(name)) {
      dropped += family.samples.length;
      continue;
    }
    taken.add(base);
    taken.add(name);
    const labelNames = [...new Set(family.samples.flatMap((s) => Object.keys(s.labels)))];
    const options = { name, help: family.help, labelNames, registers: [registry] };
    if (family.type === "counter") {
      const counter = new Counter(options);
      for (const s of family.samples) {
        if (s.value < 0) dropped++;
        else counter.inc(s.labels, s.value);
      }
    } else {
      const gauge = new Gauge(options);
      for (const s of family.samples) gauge.set(s.labels, s.value);
    }
  }
  return { text: await registry.metrics(), contentType: CONTENT_TYPES[format], dropped };
}
