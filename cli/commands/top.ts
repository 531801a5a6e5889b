/**
 * `midgram top`: a live view of OpenSIPS and Kamailio servers — load,
 * memory, SIP traffic, transactions, dialogs, registrations and the counters
 * that rose most — refreshed every interval, from the same scrape and the
 * same table of meanings as the exporter.
 *
 * Full screen on a terminal (the alternate screen, keys in raw mode,
 * restored on every way out: q, Ctrl-C, a stop signal, an error); the plain
 * form in a pipe, on a dumb terminal and with `--once`; NDJSON with `--json`.
 *
 * @module
 */
import type { ReadStream, WriteStream } from "node:tty";
import { Command, Option } from "commander";
import { replyText } from "../../lib/client/server_version.ts";
import { parseDuration } from "../../lib/duration.ts";
import { errorCodeOf, exitStatusHelp, interruptedStatus, MidgramError } from "../../lib/errors.ts";
import { transportClient } from "../../lib/exporter/client.ts";
import { Target } from "../../lib/exporter/target.ts";
import { familyOf } from "../../lib/protocol/peer.ts";
import { NO_PARAMS } from "../../lib/protocol/value.ts";
import { type DialectChoice, parseSocketSpec } from "../../lib/socket_spec.ts";
import { type RiserSort, TopTarget } from "../../lib/top/model.ts";
import { type ColorWhen, palette } from "../_color.ts";
import { loadConfig } from "../_config_file.ts";
import { control } from "../_output.ts";
import { type Io, pause } from "../io.ts";
import { type Line, plainText, screen } from "./_top_screen.ts";
import { chooseSockets, DEFAULT_SOCKET, namedDialect, noServerFound } from "../_sockets.ts";
import { collect } from "../_options.ts";

/** Options of `midgram top`, as commander hands them over. */
export interface TopCommandOptions {
  socket?: string[];
  dialect?: DialectChoice;
  interval: string;
  once?: boolean;
  json?: boolean;
  config?: string;
  fifoReplyDir?: string;
}

const SORTS: readonly RiserSort[] = ["delta", "total", "name"];

/** Lines to text pieces, one newline each. */
function joinLines(lines: readonly Line[]): Line {
  return lines.flatMap((l) => [...l, "\n"]);
}

/** Runs top until quit or interrupted; returns the exit status. */
export async function runTop(
  options: TopCommandOptions,
  io: Io,
  color: ColorWhen,
): Promise<number> {
  const { config } = loadConfig({ path: options.config, env: io.env });
  const dialect = namedDialect(options.dialect, io.env, config.client.dialect);
  const intervalMs = parseDuration(options.interval, "--interval");
  // Refused before any server default is probed for.
  if (intervalMs < 200) {
    throw new MidgramError("usage", `--interval "${options.interval}" is below 200 ms`);
  }
  const chosen = await chooseSockets({
    flag: options.socket,
    env: io.env,
    configured: config.client.socket,
    transport: io.transport,
    timeoutMs: intervalMs,
    say: io.stderrIsTTY && (options.json || options.once)
      ? (message) => io.stderr(`midgram: ${message}\n`)
      : undefined,
  });
  if (chosen.tried) throw noServerFound(chosen.tried);
  const specs = chosen.texts.map((t) => parseSocketSpec(t, dialect, config.client.flavour));
  const client = transportClient(io.transport);
  const targets = specs.map((s) => new Target(s));
  const tops = specs.map((s) => new TopTarget(s.text));
  // Each target's calls end within the interval (and 5 s at most), so a refresh never piles up.
  const timeoutMs = Math.min(5000, Math.max(100, Math.floor(intervalMs * 0.9)));

  const refresh = () =>
    Promise.all(targets.map(async (target, i) => {
      let error: string | undefined;
      const scrape = await target.scrape({
        client,
        timeoutMs,
        mappings: [],
        gauges: [],
        replyDir: options.fifoReplyDir,
        onError: (_, method, e) => {
          error ??= `${method}: ${e instanceof Error ? e.message : String(e)}`;
        },
      });
      const top = tops[i];
      top.update(scrape, performance.now(), error);
      if (scrape.up && top.version === undefined && top.kind !== undefined) {
        const jsonrpc = scrape.dialect === "jsonrpc";
        const family = familyOf(top.kind);
        try {
          const value = await client.call(target.address, family.methods.version, NO_PARAMS, {
            dialect: scrape.dialect as "mi" | "jsonrpc" | "binrpc",
            flavour: jsonrpc ? family.flavour : undefined,
            timeoutMs,
            replyDir: options.fifoReplyDir,
          });
          top.version = replyText(value, "Server").trim();
        } catch (e) {
          // No version is no reason to call the server down.
          if (errorCodeOf(e) === null) throw e;
        }
      }
    }));

  /** Waits `ms`, or less when interrupted; true when interrupted. */
  const sleep = (ms: number, also?: AbortSignal) =>
    pause(ms, io.interrupted, ...(also ? [also] : []));
  const stopped = () => interruptedStatus(io.interrupted);
  const now = () => new Date().toTimeString().slice(0, 8);

  if (options.json || options.once) {
    // Two refreshes one interval apart: rates need a difference.
    await refresh();
    while (true) {
      if (await sleep(intervalMs)) return stopped();
      await refresh();
      const time = new Date().toISOString();
      if (options.json) {
        io.stdout(`${JSON.stringify({ time, targets: tops.map((t) => t.view()) })}\n`);
      } else {
        io.stdout(
          joinLines(
            plainText(tops.map((t) => t.view()), palette(color, io, "stdout"), "delta", time),
          ),
        );
      }
      if (options.once) return tops.some((t) => !t.up) ? 1 : 0;
    }
  }

  const terminal = io.terminal;
  const dumb = (io.env.TERM ?? "dumb") === "dumb";
  if (!terminal || dumb) {
    // The plain form, one snapshot per interval, as `top -b` does.
    const paint = palette(color, io, "stdout");
    await refresh();
    while (!(await sleep(intervalMs))) {
      await refresh();
      io.stdout(joinLines(plainText(tops.map((t) => t.view()), paint, "delta", now())));
      io.stdout("\n");
    }
    return stopped();
  }
  return await fullScreen(terminal, io, color, {
    tops,
    refresh,
    sleep,
    intervalMs,
    interval: options.interval,
    now,
    stopped,
  });
}

/** The full-screen view and its keys; the terminal is restored on every way out. */
async function fullScreen(
  terminal: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  io: Io,
  color: ColorWhen,
  run: {
    tops: TopTarget[];
    refresh: () => Promise<unknown>;
    sleep: (ms: number, also?: AbortSignal) => Promise<boolean>;
    intervalMs: number;
    interval: string;
    now: () => string;
    stopped: () => number;
  },
): Promise<number> {
  const input = terminal.input as ReadStream;
  const output = terminal.output as WriteStream;
  const paint = palette(color, io, "stdout");
  const state = {
    current: 0,
    paused: false,
    help: false,
    sort: "delta" as RiserSort,
    time: "starting",
  };
  const quit = new AbortController();
  const draw = () => {
    const lines = screen(
      run.tops.map((t) => t.view(state.sort)),
      run.tops.map((t) => t.history),
      paint,
      {
        ...state,
        width: output.columns || 80,
        height: output.rows || 24,
        interval: run.interval,
      },
    );
    io.stdout([
      control("\x1b[H"),
      ...lines.flatMap((l) => [...l, control("\x1b[K"), "\n"]),
      control("\x1b[J"),
    ]);
  };
  const onKey = (chunk: Buffer | string) => {
    const keys = typeof chunk === "string" ? chunk : chunk.toString("latin1");
    const count = run.tops.length;
    if (keys === "\x1b[Z") state.current = (state.current + count - 1) % count; // Shift-Tab
    else {
      for (const key of keys) {
        if (key === "q" || key === "Q" || key === "\x03" || key === "\x04") quit.abort();
        else if (key === "\t") state.current = (state.current + 1) % count;
        else if (key === "p" || key === " ") state.paused = !state.paused;
        else if (key === "s") state.sort = SORTS[(SORTS.indexOf(state.sort) + 1) % SORTS.length];
        else if (key === "?" || key === "h") state.help = !state.help;
        else if (key >= "1" && key <= "9" && Number(key) <= count) state.current = Number(key) - 1;
        else if (key === "\x1b") state.help = false;
      }
    }
    if (!quit.signal.aborted) draw();
  };
  const onResize = () => draw();
  // Into the alternate screen, cursor hidden, keys one at a time.
  io.stdout([control("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J")]);
  input.setRawMode?.(true);
  input.on("data", onKey);
  input.resume();
  output.on("resize", onResize);
  try {
    draw();
    await run.refresh();
    state.time = run.now();
    draw();
    while (!(await run.sleep(run.intervalMs, quit.signal))) {
      if (state.paused) continue;
      await run.refresh();
      state.time = run.now();
      draw();
    }
    return quit.signal.aborted && !io.interrupted.aborted ? 0 : run.stopped();
  } finally {
    output.off("resize", onResize);
    input.off("data", onKey);
    input.setRawMode?.(false);
    input.pause();
    io.stdout([control("\x1b[?25h\x1b[?1049l")]);
  }
}

/**
 * Builds the `top` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { topCommand } from "./top.ts";
 * import { captureIo } from "../io.ts";
 * const program = new Command("midgram").addCommand(topCommand(captureIo(), { code: 0 }));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["top"]);
 * ```
 */
export function topCommand(io: Io, status: { code: number }): Command {
  return new Command("top")
    .summary("a live view of OpenSIPS and Kamailio servers: load, memory, traffic, errors")
    .description(
      "Shows each server's version and uptime, load (OpenSIPS), shared and private memory,\n" +
        "SIP traffic, replies by class, transactions, dialogs and registrations as rates with\n" +
        "sparklines, and the counters that rose most, refreshed every --interval. On a\n" +
        "terminal: Tab switches targets, p pauses, s sorts, ? helps, q quits. In a pipe or on\n" +
        "a dumb terminal: a plain snapshot per interval. --once: one snapshot after one\n" +
        "interval (rates need two readings); --json: one JSON object per interval (NDJSON).",
    )
    .option(
      "-s, --socket <addr>",
      `[DIALECT[/FLAVOUR]=]ADDRESS of a server (repeatable) [default: $MIDGRAM_SOCKET, [client] socket, ${DEFAULT_SOCKET}]`,
      collect,
    )
    .addOption(
      new Option("--dialect <dialect>", "dialect of servers given without one [default: auto]")
        .choices(["mi", "jsonrpc", "binrpc", "auto"]),
    )
    .option("-i, --interval <duration>", "time between refreshes", "2s")
    .option("--once", "print one snapshot (after one interval) and exit")
    .option("--json", "one JSON object per interval (NDJSON)")
    .option("--fifo-reply-dir <dir>", "FIFO servers: their reply directory [default: /tmp]")
    .option("--config <file>", "configuration file")
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}
  (--once: 1 when a server did not answer)

Examples:
  $ midgram top -s binrpc=unixs:/run/kamailio/kamailio_ctl -s jsonrpc=/run/opensips/mi.sock
  $ midgram top -s /run/kamailio/kamailio_rpc.sock --once --json | jq .targets[0].fields`,
    )
    .action(async (options: TopCommandOptions, command: Command) => {
      const color = (command.optsWithGlobals().color ?? "auto") as ColorWhen;
      status.code = await runTop(options, io, color);
    });
}
