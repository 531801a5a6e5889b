/**
 * What `midgram top` knows of one server between refreshes: the last
 * scrape's series (the exporter's, `lib/exporter/target.ts`), the rates of
 * its counters from the difference with the scrape before, their history for
 * sparklines, and the counters that rose most. Pure: the clock and the
 * scrapes are handed in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TopTarget } from "./model.ts";
 * const t = new TopTarget("udp:127.0.0.1:2049");
 * const sample = (value: number) => ({
 *   name: "kamailio_core_rcv_requests_total", type: "counter" as const, help: "",
 *   labels: { target: "udp:127.0.0.1:2049", dialect: "binrpc" }, value,
 * });
 * t.update({ up: true, samples: [sample(10)], errors: 0, durationSeconds: 0, dialect: "binrpc" }, 0);
 * t.update({ up: true, samples: [sample(30)], errors: 0, durationSeconds: 0, dialect: "binrpc" }, 2000);
 * assert.deepEqual(t.view().fields["sip.requests_received"], { value: 30, rate: 10 });
 * ```
 *
 * @module
 */
import { type Meaning, MEANINGS, statisticOf } from "../exporter/meanings.ts";
import type { Sample } from "../exporter/sample.ts";
import { prefixOf, type ServerKind } from "../exporter/server_kind.ts";
import { statisticMetricName } from "../exporter/statistics.ts";
import type { TargetScrape } from "../exporter/target.ts";

/** A field's value now and, for a counter, its rate per second since the refresh before. */
export interface FieldValue {
  value: number;
  rate?: number;
}

/** A counter that rose since the refresh before. */
export interface Riser {
  /** The series, as the exporter names it (`kamailio_core_drop_requests_total`). */
  name: string;
  delta: number;
  rate: number;
  total: number;
}

/** How the risers are ordered (`s` cycles through them). */
export type RiserSort = "delta" | "total" | "name";

/** One target as the screen and `--json` show it. */
export interface TargetView {
  target: string;
  up: boolean;
  /** Why it is down (the last error), while it is. */
  error?: string;
  dialect: string;
  server?: ServerKind;
  version?: string;
  uptimeSeconds?: number;
  processes?: number;
  /** By meaning id (`sip.requests_received`), the fields this server has. */
  fields: Record<string, FieldValue>;
  /** OpenSIPS's load statistics (percent), by name. */
  load: Record<string, number>;
  memory: {
    /** Shared memory in use, percent of its size. */
    shmPercent?: number;
    /** The process using the largest share of its private memory. */
    pkg?: { process: string; percent: number; used: number; total: number };
  };
  /** The counters that rose most since the refresh before. */
  risers: Riser[];
}

/** How many rates each sparkline keeps (at 2 s, five minutes). */
export const HISTORY = 150;

const key = (s: Sample) =>
  `${s.name}${Object.entries(s.labels).filter(([k]) => k !== "target" && k !== "dialect").join()}`;

/** The kind of server a scrape came from, by its series' prefix. */
function kindOf(samples: readonly Sample[], dialect: string): ServerKind | undefined {
  if (samples.some((s) => s.name.startsWith("kamailio_"))) return "kamailio";
  if (samples.some((s) => s.name.startsWith("opensips_"))) {
    return dialect === "mi" ? "opensips-2.4" : "opensips";
  }
  return undefined;
}

/** One target's state across refreshes. */
export class TopTarget {
  readonly target: string;
  private samples = new Map<string, Sample>();
  private previous = new Map<string, Sample>();
  private at = Number.NaN;
  private before = Number.NaN;
  private state: { up: boolean; dialect: string; error?: string; kind?: ServerKind } = {
    up: false,
    dialect: "unknown",
  };
  /** The server's version, once asked (cleared when it goes down: it may come back another). */
  version: string | undefined;
  /** Rates over time, by meaning id. */
  readonly history = new Map<string, number[]>();

  constructor(target: string) {
    this.target = target;
  }

  /** The server kind seen last (undefined before a scrape answered). */
  get kind(): ServerKind | undefined {
    return this.state.kind;
  }

  /** Whether the last scrape answered. */
  get up(): boolean {
    return this.state.up;
  }

  /** Takes a scrape made at `now` (ms); `error` says why a failed one failed. */
  update(scrape: TargetScrape, now: number, error?: string): void {
    if (!scrape.up) {
      this.state = {
        ...this.state,
        up: false,
        dialect: scrape.dialect,
        error: error ?? "no answer",
      };
      this.version = undefined;
      // Rates start again from the next answer (the server may have restarted).
      this.samples.clear();
      this.at = Number.NaN;
      return;
    }
    this.previous = this.samples;
    this.before = this.at;
    this.samples = new Map(scrape.samples.map((s) => [key(s), s]));
    this.at = now;
    this.state = {
      up: true,
      dialect: scrape.dialect,
      kind: kindOf(scrape.samples, scrape.dialect) ?? this.state.kind,
    };
    for (const m of MEANINGS) {
      if (m.type !== "counter") continue;
      const rate = this.field(m)?.rate;
      if (rate === undefined) continue;
      const points = this.history.get(m.id) ?? [];
      points.push(rate);
      if (points.length > HISTORY) points.shift();
      this.history.set(m.id, points);
    }
  }

  private seconds(): number {
    return (this.at - this.before) / 1000;
  }

  private find(map: Map<string, Sample>, names: readonly string[]): Sample | undefined {
    for (const name of names) {
      const s = map.get(name);
      if (s) return s;
    }
    return undefined;
  }

  private field(m: Meaning): FieldValue | undefined {
    const kind = this.state.kind;
    if (kind === undefined) return undefined;
    const stat = statisticOf(m, kind);
    if (stat === undefined) return undefined;
    const at = stat.indexOf(":");
    const [group, name] = [stat.slice(0, at), stat.slice(at + 1)];
    const prefix = prefixOf(kind);
    // The exporter names it as a counter or a gauge by what the server said: look for both.
    const names = [
      statisticMetricName(prefix, group, name, "counter"),
      statisticMetricName(prefix, group, name, "gauge"),
    ];
    const now = this.find(this.samples, names);
    if (!now) return undefined;
    if (m.type !== "counter") return { value: now.value };
    const then = this.find(this.previous, names);
    const seconds = this.seconds();
    if (!then || !(seconds > 0) || now.value < then.value) return { value: now.value };
    return { value: now.value, rate: round((now.value - then.value) / seconds) };
  }

  /** The counters that rose, ordered by `sort`, at most `limit`. */
  risers(sort: RiserSort, limit: number): Riser[] {
    const seconds = this.seconds();
    const out: Riser[] = [];
    for (const [k, s] of this.samples) {
      if (s.type !== "counter") continue;
      const then = this.previous.get(k);
      if (!then || s.value <= then.value) continue;
      const delta = s.value - then.value;
      const process = s.labels.process;
      out.push({
        name: process === undefined ? s.name : `${s.name}{process="${process}"}`,
        delta,
        rate: seconds > 0 ? round(delta / seconds) : 0,
        total: s.value,
      });
    }
    const order: Record<RiserSort, (a: Riser, b: Riser) => number> = {
      delta: (a, b) => b.delta - a.delta || a.name.localeCompare(b.name),
      total: (a, b) => b.total - a.total || a.name.localeCompare(b.name),
      name: (a, b) => a.name.localeCompare(b.name),
    };
    return out.sort(order[sort]).slice(0, limit);
  }

  /** What the screen and `--json` show. */
  view(sort: RiserSort = "delta", risers = 10): TargetView {
    const view: TargetView = {
      target: this.target,
      up: this.state.up,
      dialect: this.state.dialect,
      fields: {},
      load: {},
      memory: {},
      risers: [],
    };
    if (this.state.error !== undefined && !this.state.up) view.error = this.state.error;
    if (this.state.kind !== undefined) view.server = this.state.kind;
    if (this.version !== undefined) view.version = this.version;
    if (!this.state.up || this.state.kind === undefined) return view;
    const prefix = prefixOf(this.state.kind);
    const plain = (name: string) => this.samples.get(name)?.value;
    view.uptimeSeconds = plain(`${prefix}_uptime_seconds`);
    view.processes = plain(`${prefix}_processes`);
    for (const m of MEANINGS) {
      const f = this.field(m);
      if (f) view.fields[m.id] = f;
    }
    const used = view.fields["memory.shm_used"]?.value;
    const total = view.fields["memory.shm_total"]?.value;
    if (used !== undefined && total) view.memory.shmPercent = round((100 * used) / total);
    const pkg: Record<string, { used?: number; total?: number }> = {};
    const loadName = new RegExp(`^${prefix}_load_(.+)$`);
    for (const s of this.samples.values()) {
      const process = s.labels.process;
      if (process === undefined) {
        const load = loadName.exec(s.name);
        if (load && !/proc/.test(load[1])) view.load[load[1]] = s.value;
        continue;
      }
      const entry = pkg[process] ??= {};
      if (s.name === `${prefix}_pkmem_real_used_size`) entry.used = s.value;
      else if (s.name === `${prefix}_pkmem_used_size`) entry.used ??= s.value;
      else if (s.name === `${prefix}_pkmem_total_size`) entry.total = s.value;
    }
    for (const [process, { used, total }] of Object.entries(pkg)) {
      if (used === undefined || !total) continue;
      const percent = round((100 * used) / total);
      if (!view.memory.pkg || percent > view.memory.pkg.percent) {
        view.memory.pkg = { process, percent, used, total };
      }
    }
    view.risers = this.risers(sort, risers);
    return view;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
