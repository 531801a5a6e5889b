/**
 * What `midgram top` draws: one target's panels as lines of text and
 * styled pieces, the full screen around them (tabs, status, help) fitted
 * to the terminal, and the plain form for pipes, dumb terminals and
 * `--once`. Pure: the views come from `lib/top/model.ts`.
 *
 * @module
 */
import { MEANINGS, type Panel } from "../../lib/exporter/meanings.ts";
import type { RiserSort, TargetView } from "../../lib/top/model.ts";
import type { Palette } from "../_color.ts";
import { Styled } from "../_output.ts";

/** A line: text and styled pieces. */
export type Line = Array<string | Styled>;

const PANEL_TITLES: Record<Panel, string> = {
  sip: "SIP TRAFFIC",
  replies: "REPLIES SENT (sl)",
  transactions: "TRANSACTIONS",
  dialogs: "DIALOGS",
  registrations: "REGISTRATIONS",
  memory: "MEMORY",
  errors: "ERRORS",
};

/** Panels drawn as rows of counters with rates and sparklines. */
const RATE_PANELS: readonly Panel[] = [
  "sip",
  "replies",
  "transactions",
  "dialogs",
  "registrations",
  "errors",
];

const BARS = ["\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"];

/** A sparkline of the last `width` values, scaled to their largest. */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  return shown.map((v) => max === 0 ? BARS[0] : BARS[Math.min(7, Math.floor((v / max) * 7.999))])
    .join("");
}

/** Bytes as KiB, MiB or GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Seconds as `3d 04h 05m`, `4h 05m 06s` or `5m 06s`. */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const [d, h, m, r] = [
    Math.floor(s / 86400),
    Math.floor(s / 3600) % 24,
    Math.floor(s / 60) % 60,
    s % 60,
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${two(h)}h ${two(m)}m`;
  if (h > 0) return `${h}h ${two(m)}m ${two(r)}s`;
  return `${m}m ${two(r)}s`;
}

function rate(r: number | undefined): string {
  return r === undefined ? "-" : r >= 100 ? r.toFixed(0) : r.toFixed(1);
}

/** Names that are bad news when they rise. */
const BAD = /drop|err|fail|reject|5xx|6xx|timeout|bad_|invalid/i;

/**
 * One target's panels. `history` gives each counter's past rates (by
 * meaning id) for sparklines; without it (the plain form) none are drawn.
 */
export function targetLines(
  view: TargetView,
  paint: Palette,
  options: { sort: RiserSort; history?: ReadonlyMap<string, readonly number[]>; spark: number },
): Line[] {
  const lines: Line[] = [];
  const name = view.version ?? view.server ?? "unknown server";
  const head: Line = [paint.bold(name), `  ${view.dialect}  ${view.target}`];
  if (!view.up) {
    lines.push(head, [
      paint.red("DOWN"),
      `  ${view.error ?? "no answer"}  (asked again every refresh)`,
    ]);
    return lines;
  }
  if (view.uptimeSeconds !== undefined) head.push(`  up ${formatUptime(view.uptimeSeconds)}`);
  if (view.processes !== undefined) head.push(`  ${view.processes} processes`);
  lines.push(head, []);

  const load = Object.entries(view.load);
  if (load.length > 0) {
    lines.push([
      paint.bold("LOAD"),
      "  ",
      ...load.flatMap(([k, v]) => [`${k} `, v >= 80 ? paint.red(`${v}%`) : `${v}%`, "  "]),
    ]);
  }

  const mem: Line = [paint.bold("MEMORY"), "  "];
  const f = view.fields;
  if (f["memory.shm_used"] && f["memory.shm_total"]) {
    const pct = view.memory.shmPercent ?? 0;
    const text = `shm ${formatBytes(f["memory.shm_used"].value)} / ${
      formatBytes(f["memory.shm_total"].value)
    } (${pct}%)`;
    mem.push(pct >= 80 ? paint.red(text) : pct >= 60 ? paint.yellow(text) : text);
    if (f["memory.shm_max_used"]) mem.push(`  peak ${formatBytes(f["memory.shm_max_used"].value)}`);
    if (f["memory.shm_fragments"]) mem.push(`  fragments ${f["memory.shm_fragments"].value}`);
  } else mem.push(paint.dim("no shared memory statistics"));
  const pkg = view.memory.pkg;
  if (pkg) {
    const text = `pkg ${pkg.percent}% (process ${pkg.process}: ${formatBytes(pkg.used)} / ${
      formatBytes(pkg.total)
    })`;
    mem.push("  ", pkg.percent >= 80 ? paint.red(text) : text);
  }
  lines.push(mem, []);

  for (const panel of RATE_PANELS) {
    const rows = MEANINGS.filter((m) => m.panel === panel && f[m.id] !== undefined);
    if (rows.length === 0) {
      lines.push([
        paint.bold(PANEL_TITLES[panel]),
        "  ",
        paint.dim("(not reported: module not loaded)"),
      ]);
      continue;
    }
    lines.push([paint.bold(PANEL_TITLES[panel]), paint.dim("        /s      total")]);
    for (const m of rows) {
      const v = f[m.id];
      const label = `  ${m.label.padEnd(13)}`;
      if (m.type === "gauge") {
        lines.push([label, `${"".padStart(8)} ${String(v.value).padStart(10)}`]);
        continue;
      }
      const r = rate(v.rate).padStart(8);
      const bad = panel === "errors" || BAD.test(m.id);
      const line: Line = [
        label,
        bad && (v.rate ?? 0) > 0 ? paint.red(r) : r,
        ` ${String(v.value).padStart(10)}`,
      ];
      const points = options.history?.get(m.id);
      if (points && options.spark > 0) {
        line.push("  ", paint.green(sparkline(points, options.spark)));
      }
      lines.push(line);
    }
  }
  lines.push([]);
  lines.push([
    paint.bold("ROSE MOST"),
    paint.dim(` since the last refresh (sort: ${options.sort})`),
  ]);
  if (view.risers.length === 0) lines.push([paint.dim("  nothing rose")]);
  for (const r of view.risers) {
    const text = `+${r.delta}`.padStart(10);
    lines.push([
      "  ",
      BAD.test(r.name) ? paint.red(text) : text,
      `  ${rate(r.rate).padStart(8)}/s  ${String(r.total).padStart(10)}  ${r.name}`,
    ]);
  }
  return lines;
}

/** The visible length of a line. */
function lengthOf(line: Line): number {
  return line.reduce((n, p) => n + (typeof p === "string" ? p : p.text).length, 0);
}

/** A line cut to `width` characters. */
export function fit(line: Line, width: number): Line {
  if (lengthOf(line) <= width) return line;
  const out: Line = [];
  let left = width;
  for (const p of line) {
    if (left <= 0) break;
    const text = typeof p === "string" ? p : p.text;
    const cut = text.slice(0, left);
    out.push(typeof p === "string" ? cut : new Styled(cut, p.open, p.close));
    left -= cut.length;
  }
  return out;
}

/** What the full screen shows besides the panels. */
export interface ScreenState {
  current: number;
  paused: boolean;
  help: boolean;
  sort: RiserSort;
  width: number;
  height: number;
  /** The time of the last refresh, as text. */
  time: string;
  interval: string;
}

const HELP: Line[] = [
  ["  Tab, Shift-Tab   next, previous target (1-9: that target)"],
  ["  p                pause or resume the refreshes"],
  ["  s                sort the counters that rose: by rise, by total, by name"],
  ["  ?                this help"],
  ["  q, Ctrl-C        quit"],
  [],
  ["  Rates are per second, from the difference of two refreshes; memory turns"],
  ["  yellow over 60 % and red over 80 %; rising drops, errors and 5xx are red."],
];

/** The whole screen: title, tabs, the current target's panels (or help), cut to the terminal. */
export function screen(
  views: readonly TargetView[],
  histories: ReadonlyArray<ReadonlyMap<string, readonly number[]>>,
  paint: Palette,
  state: ScreenState,
): Line[] {
  const title: Line = [
    paint.bold("midgram top"),
    `  every ${state.interval}  `,
    state.paused ? paint.yellow("PAUSED") : paint.dim(state.time),
    paint.dim("   Tab next  p pause  s sort  ? help  q quit"),
  ];
  const tabs: Line = [];
  views.forEach((v, i) => {
    const label = ` ${i + 1}:${v.target} `;
    const down = !v.up;
    tabs.push(
      i === state.current
        ? paint.bold(`[${label.trim()}${down ? " DOWN" : ""}]`)
        : down
        ? paint.red(label)
        : label,
    );
  });
  const spark = Math.max(0, Math.min(60, state.width - 40));
  const body = state.help
    ? [[paint.bold("KEYS")], ...HELP]
    : targetLines(views[state.current], paint, {
      sort: state.sort,
      history: histories[state.current],
      spark,
    });
  return [title, tabs, [], ...body].slice(0, Math.max(1, state.height)).map((l) =>
    fit(l, state.width)
  );
}

/** The plain form of every target (pipes, dumb terminals, `--once`). */
export function plainText(
  views: readonly TargetView[],
  paint: Palette,
  sort: RiserSort,
  time: string,
): Line[] {
  const lines: Line[] = [[`midgram top ${time}`]];
  for (const v of views) {
    lines.push([], ...targetLines(v, paint, { sort, spark: 0 }));
  }
  return lines;
}
