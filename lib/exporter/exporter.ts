/**
 * The exporter: its targets, one scrape of all of them at once, and the
 * series that report each target (`midgram_target_up`, its scrape duration
 * and errors). No HTTP here (see `http.ts`).
 *
 * @module
 */
import type { SocketSpec } from "../socket_spec.ts";
import type { ExporterClient } from "./client.ts";
import type { RpcMapping } from "./mapping.ts";
import { type ExpositionFormat, renderSamples } from "./render.ts";
import type { Sample } from "./sample.ts";
import { Target } from "./target.ts";

/** Options of {@linkcode createExporter}. */
export interface ExporterOptions {
  targets: readonly SocketSpec[];
  client: ExporterClient;
  /** The longest a scrape takes when the scraper does not say; default 10000 ms. */
  scrapeTimeoutMs?: number;
  /** The longest one target takes; default 5000 ms, always below the scrape's limit. */
  targetTimeoutMs?: number;
  mappings?: readonly RpcMapping[];
  /** More `GROUP:NAME` patterns of statistics that are gauges. */
  gauges?: readonly string[];
  /** FIFO targets: the directory of reply FIFOs (the server's reply directory); default /tmp. */
  fifoReplyDir?: string;
  /** Told of each failed call. */
  onError?: (target: string, method: string, error: unknown) => void;
}

/** The exporter. */
export interface Exporter {
  readonly targets: readonly Target[];
  /** Scrapes every target at once; `scrapeTimeoutMs` is the scraper's own limit, when it gave one. */
  collect(scrapeTimeoutMs?: number): Promise<Sample[]>;
  /** `collect()` rendered in a format. */
  metrics(
    format: ExpositionFormat,
    scrapeTimeoutMs?: number,
  ): Promise<{ text: string; contentType: string }>;
}

/** The time left for targets within a scrape limit: 90 % of it, and 100 ms less at least. */
export function targetBudget(scrapeMs: number, targetMs: number): number {
  return Math.max(50, Math.min(targetMs, Math.floor(scrapeMs * 0.9), scrapeMs - 100));
}

/**
 * Makes an exporter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createExporter } from "./exporter.ts";
 * import { transportClient } from "./client.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const exporter = createExporter({ targets: [], client: transportClient(createMemoryTransport()) });
 * // the exporter's own duration and target count
 * assert.equal((await exporter.collect()).length, 2);
 * ```
 */
export function createExporter(options: ExporterOptions): Exporter {
  const targets = options.targets.map((spec) => new Target(spec));
  const scrapeDefault = options.scrapeTimeoutMs ?? 10_000;
  const targetDefault = options.targetTimeoutMs ?? 5_000;
  const collect = async (scrapeTimeoutMs?: number): Promise<Sample[]> => {
    const started = performance.now();
    const scrapeMs = Math.min(scrapeDefault, scrapeTimeoutMs ?? scrapeDefault);
    const timeoutMs = targetBudget(scrapeMs, targetDefault);
    const context = {
      client: options.client,
      timeoutMs,
      mappings: options.mappings ?? [],
      gauges: options.gauges ?? [],
      replyDir: options.fifoReplyDir,
      onError: options.onError,
    };
    const results = await Promise.all(targets.map((t) => t.scrape(context)));
    const samples: Sample[] = [];
    results.forEach((r, i) => {
      const labels = { target: targets[i].name, dialect: r.dialect };
      samples.push(
        {
          name: "midgram_target_up",
          type: "gauge",
          help: "Whether the target answered its statistics call in this scrape",
          labels,
          value: r.up ? 1 : 0,
        },
        {
          name: "midgram_target_scrape_duration_seconds",
          type: "gauge",
          help: "How long the scrape of the target took",
          labels,
          value: r.durationSeconds,
        },
        {
          name: "midgram_target_scrape_errors",
          type: "gauge",
          help: "Calls to the target that failed in this scrape",
          labels,
          value: r.errors,
        },
        {
          name: "midgram_target_scrape_failures_total",
          type: "counter",
          help: "Scrapes that found the target down, since the exporter started",
          labels: { target: targets[i].name },
          value: targets[i].failures,
        },
      );
    });
    for (const r of results) samples.push(...r.samples);
    samples.push(
      {
        name: "midgram_exporter_targets",
        type: "gauge",
        help: "Targets of the exporter",
        labels: {},
        value: targets.length,
      },
      {
        name: "midgram_exporter_scrape_duration_seconds",
        type: "gauge",
        help: "How long the whole scrape took",
        labels: {},
        value: (performance.now() - started) / 1000,
      },
    );
    return samples;
  };
  return {
    targets,
    collect,
    async metrics(format, scrapeTimeoutMs) {
      const { text, contentType } = await renderSamples(await collect(scrapeTimeoutMs), format);
      return { text, contentType };
    },
  };
}
