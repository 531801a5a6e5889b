/**
 * One target of the exporter: its socket, the dialect found for it (asked
 * once, kept, asked again after a failed scrape) and how one scrape of it
 * goes: every call at once, all within the target's time limit.
 *
 * @module
 */
import { mustDetect, withDetected } from "../client/detect.ts";
import { errorCodeOf, MidgramError } from "../errors.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { familyOf } from "../protocol/peer.ts";
import type { Params, Value } from "../protocol/value.ts";
import type { Flavour, SocketSpec } from "../socket_spec.ts";
import type { AnyAddress } from "../transport/types.ts";
import type { ExporterClient } from "./client.ts";
import { mappingApplies, mappingSamples, type RpcMapping } from "./mapping.ts";
import { processProbes } from "./process_metrics.ts";
import type { MetricType, Sample } from "./sample.ts";
import { type ServerKind, serverKindOf } from "./server_kind.ts";
import { readStatisticFlags, readStatistics, statisticSamples } from "./statistics.ts";

/** What a scrape of every target shares. */
export interface ScrapeContext {
  client: ExporterClient;
  /** The time limit of this target's scrape, in ms. */
  timeoutMs: number;
  mappings: readonly RpcMapping[];
  /** More `GROUP:NAME` patterns of statistics that are gauges. */
  gauges: readonly string[];
  /** FIFO targets: the directory of reply FIFOs (the server's reply directory). */
  replyDir?: string;
  /** Told of each failed call (for the log). */
  onError?: (target: string, method: string, error: unknown) => void;
}

/** What one scrape of a target found. */
export interface TargetScrape {
  up: boolean;
  samples: Sample[];
  errors: number;
  durationSeconds: number;
  /** The dialect used (`unknown` when none could be found). */
  dialect: string;
}

const NONE: Params = { kind: "positional", values: [] };

/** Codes after which the dialect is asked again (the server may have been replaced). */
const REDETECT = new Set([
  "timeout",
  "connection-refused",
  "not-found",
  "transport",
  "closed",
  "reply-syntax",
  "truncated-reply",
  "not-a-socket",
  "method-not-found",
]);

/** A target and what is known of it between scrapes. */
export class Target {
  readonly spec: SocketSpec;
  private found: { dialect: DialectName; flavour?: Flavour; address?: AnyAddress } | null = null;
  private flags: Map<string, MetricType> | null = null;
  /** Optional methods this server lacks (asked again after a re-detection). */
  private readonly missing = new Set<string>();
  /** Scrapes that found the target down, since start. */
  failures = 0;

  constructor(spec: SocketSpec) {
    this.spec = spec;
    if (!mustDetect(spec)) {
      this.found = { dialect: spec.dialect as DialectName, flavour: spec.flavour };
    }
  }

  /** The address as the user wrote it (the `target` label). */
  get name(): string {
    return this.spec.text;
  }

  /** Where the calls go: the address given, or the one the dialect probe found. */
  get address(): AnyAddress {
    return this.found?.address ?? this.spec.address;
  }

  /** The dialect known now, or `unknown`. */
  get dialect(): string {
    return this.found?.dialect ?? "unknown";
  }

  private forget(): void {
    if (mustDetect(this.spec)) this.found = null;
    this.flags = null;
    this.missing.clear();
  }

  /** Scrapes the target once; never throws. */
  async scrape(context: ScrapeContext): Promise<TargetScrape> {
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), context.timeoutMs);
    const deadline = started + context.timeoutMs;
    const left = () => Math.max(1, Math.floor(deadline - performance.now()));
    let errors = 0;
    const fail = (method: string, error: unknown) => {
      errors++;
      context.onError?.(this.name, method, error);
    };
    try {
      if (this.found === null) {
        try {
          const d = await context.client.detect(this.spec.address, {
            timeoutMs: left(),
            signal: controller.signal,
          });
          // A bare path that is a stream socket is Kamailio's ctl: asked at its stream address.
          this.found = withDetected(this.spec, d);
        } catch (error) {
          fail("(dialect probe)", error);
          this.failures++;
          return this.result(false, [], errors, started);
        }
      }
      const found = this.found;
      // Each call's own time limit ends at the target's deadline (no shared signal:
      // a scrape makes many calls at once).
      const call = (method: string, params: Params) =>
        context.client.call(this.address, method, params, {
          ...found,
          timeoutMs: left(),
          replyDir: context.replyDir,
        });
      // JSON-RPC of an unknown flavour (FIFO, HTTP): ask as OpenSIPS, then as Kamailio,
      // one after the other (a FIFO server may lose a request framed the other way),
      // each within half of what is left.
      if (found.dialect === "jsonrpc" && found.flavour === undefined) {
        let firstError: unknown;
        for (const flavour of ["opensips", "kamailio"] as const) {
          try {
            await context.client.call(
              this.address,
              ...statsCall(serverKindOf("jsonrpc", flavour)),
              {
                dialect: "jsonrpc",
                flavour,
                timeoutMs: flavour === "opensips" ? Math.max(1, Math.floor(left() / 2)) : left(),
                replyDir: context.replyDir,
              },
            );
            found.flavour = flavour;
            break;
          } catch (error) {
            firstError ??= error;
          }
        }
        if (found.flavour === undefined) {
          fail("(flavour probe)", firstError);
          this.forget();
          this.failures++;
          return this.result(false, [], errors, started, found.dialect);
        }
      }
      const kind = serverKindOf(found.dialect, found.flavour);
      const labels = { target: this.name, dialect: found.dialect };
      const stats = call(...statsCall(kind));
      const flagsMethod = familyOf(kind).statistics.flags;
      const wantFlags = flagsMethod !== null && this.flags === null &&
        !this.missing.has(flagsMethod);
      const flags = wantFlags ? call(flagsMethod, NONE) : null;
      const probes = processProbes(kind).filter((p) => !this.missing.has(p.method));
      const optional = probes.map((p) => call(p.method, p.params));
      const mappings = context.mappings.filter((m) => mappingApplies(m, kind));
      const mapped = mappings.map((m) => call(m.method, m.params ?? NONE));
      const [statsResult, flagsResult, ...rest] = await Promise.allSettled([
        stats,
        flags ?? Promise.resolve(null),
        ...optional,
        ...mapped,
      ]);
      const samples: Sample[] = [];
      if (flagsResult.status === "fulfilled" && flagsResult.value !== null) {
        this.flags = readStatisticFlags(flagsResult.value);
      } else if (flagsResult.status === "rejected") {
        if (errorCodeOf(flagsResult.reason) === "method-not-found") {
          this.missing.add("list_statistics");
        } else fail("list_statistics", flagsResult.reason);
      }
      let up = false;
      if (statsResult.status === "fulfilled") {
        up = true;
        const { statistics } = readStatistics(statsResult.value, kind);
        // A statistic that appeared since list_statistics answered: ask again next time.
        if (this.flags && statistics.some((s) => !this.flags!.has(`${s.group}:${s.name}`))) {
          samples.push(
            ...statisticSamples(statistics, {
              kind,
              labels,
              flags: this.flags,
              gauges: context.gauges,
            }),
          );
          this.flags = null;
        } else {
          samples.push(...statisticSamples(statistics, {
            kind,
            labels,
            flags: this.flags ?? undefined,
            gauges: context.gauges,
          }));
        }
      } else {
        fail(statsCall(kind)[0], statsResult.reason);
        const code = errorCodeOf(statsResult.reason);
        if (code === null || REDETECT.has(code)) this.forget();
      }
      probes.forEach((probe, i) => {
        const r = rest[i];
        if (r.status === "fulfilled") samples.push(...probe.samples(r.value as Value, labels));
        else if (errorCodeOf(r.reason) === "method-not-found") this.missing.add(probe.method);
        else fail(probe.method, r.reason);
      });
      mappings.forEach((mapping, i) => {
        const r = rest[probes.length + i];
        if (r.status === "fulfilled") {
          samples.push(...mappingSamples(mapping, r.value as Value, labels).samples);
        } else fail(mapping.method, r.reason);
      });
      if (!up) this.failures++;
      return this.result(up, samples, errors, started, found.dialect);
    } catch (error) {
      // Only a bug of ours comes here: report the target down, keep serving.
      fail(
        "(scrape)",
        error instanceof MidgramError ? error : new MidgramError("internal", String(error)),
      );
      this.failures++;
      return this.result(false, [], errors, started);
    } finally {
      clearTimeout(timer);
    }
  }

  private result(
    up: boolean,
    samples: Sample[],
    errors: number,
    started: number,
    dialect = this.dialect,
  ): TargetScrape {
    return { up, samples, errors, durationSeconds: (performance.now() - started) / 1000, dialect };
  }
}

/** The statistics call of a server kind. */
export function statsCall(kind: ServerKind): [string, Params] {
  const { method, params } = familyOf(kind).statistics;
  return [method, params(["all"])];
}
