/**
 * `midgram serve`: a datagram MI server on UNIX and UDP sockets at once.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { Command, Option } from "commander";
import { parseDuration } from "../../lib/duration.ts";
import { exitStatusHelp, interruptedStatus, MidgramError } from "../../lib/errors.ts";
import type { DialectName } from "../../lib/protocol/dialect.ts";
import { DIALECTS } from "../../lib/protocol/dialects.ts";
import { parseSocketSpec, type SocketSpec } from "../../lib/socket_spec.ts";
import { isLoopback } from "../../lib/server/_cidr.ts";
import { createServer, type LogLevel } from "../../lib/server/server.ts";
import { formatAddress, ipHostOf } from "../../lib/transport/address.ts";
import { VERSION } from "../../lib/version.ts";
import { loadConfig } from "../_config_file.ts";
import { createLogger, levelFromNumber, levelToNumber } from "../_logger.ts";
import { execHandler } from "../exec_command.ts";
import { serveServerMetrics } from "../../lib/exporter/server_metrics.ts";
import { type Io, whenAborted } from "../io.ts";
import { unescapeIndent } from "./_send_common.ts";
import { collect } from "../_options.ts";

/** Options of `midgram serve`, as commander hands them over. */
export interface ServeOptions {
  socket?: string[];
  dialect?: DialectName;
  flavour?: "opensips" | "kamailio";
  mode?: string;
  user?: string;
  group?: string;
  replyIndent?: string;
  timeout?: string;
  handlerTimeout?: string;
  stopTimeout?: string;
  children?: string;
  config?: string;
  logLevel?: LogLevel;
  logFormat?: "text" | "json";
  allow?: string[];
  disable?: string[];
  builtins: boolean;
  metrics?: string;
  fifoReplyDir?: string;
  autoconversion?: boolean;
  idleTimeout?: string;
  maxConnections?: string;
}

/** Looks a user or group name up in /etc/passwd or /etc/group; numbers pass through. */
export function resolveId(kind: "user" | "group", text: string, database?: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const file = kind === "user" ? "/etc/passwd" : "/etc/group";
  let lines: string[];
  try {
    lines = (database ?? readFileSync(file, "utf8")).split("\n");
  } catch {
    throw new MidgramError("usage", `Cannot look up ${kind} "${text}": cannot read ${file}`);
  }
  for (const line of lines) {
    const fields = line.split(":");
    if (fields[0] === text && fields.length >= 3) return Number(fields[2]);
  }
  throw new MidgramError("usage", `Unknown ${kind} "${text}" (not in ${file})`);
}

function count(text: string, what: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new MidgramError(
      "usage",
      `Cannot parse ${what} "${text}": expected a whole number of at least ${min}`,
    );
  }
  return Number(text);
}

/** Runs the server until interrupted or killed; returns the exit status. */
export async function runServe(options: ServeOptions, io: Io): Promise<number> {
  const { config, file } = loadConfig({ path: options.config, env: io.env });
  const c = config.server;
  const dialect = options.dialect ?? c.dialect ?? "mi";
  const flavour = options.flavour ?? c.flavour;
  const sockets: SocketSpec[] = (options.socket?.length ? options.socket : c.sockets).map((t) => {
    const spec = parseSocketSpec(t, dialect, flavour);
    if (spec.dialect === "auto") {
      throw new MidgramError("usage", `Cannot serve "${t}": a server needs a dialect, not auto`);
    }
    return spec;
  });
  if (sockets.length === 0) {
    throw new MidgramError(
      "usage",
      "No socket to serve: give --socket ADDR (or sockets in the config file)",
    );
  }
  let mode = c.mode ?? 0o660;
  if (options.mode !== undefined) {
    if (!/^0?[0-7]{3}$/.test(options.mode)) {
      throw new MidgramError(
        "usage",
        `Cannot parse --mode "${options.mode}": expected an octal mode such as 0660`,
      );
    }
    mode = parseInt(options.mode, 8);
  }
  const user = options.user ?? c.user;
  const group = options.group ?? c.group;
  const uid = user === undefined ? undefined : resolveId("user", user);
  const gid = group === undefined ? undefined : resolveId("group", group);
  const logger = createLogger(
    (line) => io.stderr(line),
    options.logLevel ?? c.logLevel ?? "info",
    options.logFormat ?? c.logFormat ?? "text",
  );
  const stopTimeoutMs = options.stopTimeout !== undefined
    ? parseDuration(options.stopTimeout, "--stop-timeout")
    : c.stopTimeoutMs;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupted.addEventListener("abort", onInterrupt, { once: true });
  const disable = [...(c.disable ?? []), ...(options.disable ?? [])];
  const allow = [...(c.allow ?? []), ...(options.allow ?? [])];
  const server = createServer({
    transport: io.transport,
    fifoReplyDir: options.fifoReplyDir,
    autoconversion: options.autoconversion ?? c.autoconversion,
    indent: unescapeIndent(options.replyIndent ?? c.replyIndent ?? "\t"),
    replyTimeoutMs: options.timeout !== undefined
      ? parseDuration(options.timeout, "--timeout")
      : c.timeoutMs,
    handlerTimeoutMs: options.handlerTimeout !== undefined
      ? parseDuration(options.handlerTimeout, "--handler-timeout")
      : c.handlerTimeoutMs,
    children: options.children !== undefined
      ? count(options.children, "--children", 1)
      : c.children,
    builtins: options.builtins ? { disable } : false,
    allow,
    idleTimeoutMs: options.idleTimeout !== undefined
      ? parseDuration(options.idleTimeout, "--idle-timeout")
      : c.idleTimeoutMs,
    maxConnections: options.maxConnections !== undefined
      ? count(options.maxConnections, "--max-connections", 1)
      : c.maxConnections,
    logger,
    version: `midgram ${VERSION}`,
    host: {
      pid: process.pid,
      cwd: () => process.cwd(),
      argv: process.argv,
      onKill: () => stop.abort(),
      onLogLevel: (level) => {
        logger.level = levelFromNumber(level);
      },
      logLevel: () => levelToNumber(logger.level),
    },
  });
  for (const [name, spec] of Object.entries(config.commands)) {
    try {
      server.registerMi(name, execHandler(spec), { noInput: spec.noInput, help: spec.help });
    } catch (error) {
      throw new MidgramError(
        "config",
        `Invalid config "${file}": commands.${name}: ${(error as Error).message}`,
      );
    }
  }
  let metrics: Awaited<ReturnType<typeof serveServerMetrics>> | undefined;
  let stopTrimming: (() => void) | undefined;
  try {
    if (options.metrics !== undefined) {
      metrics = await serveServerMetrics(server, options.metrics, `midgram ${VERSION} serve`, {
        allow,
      });
      io.stdout(
        `metrics on http://${
          options.metrics.replace(/:\d+$/, `:${metrics.address.port}`)
        }/metrics\n`,
      );
    }
    // Before the sockets: their "listening on" lines also say it is in place.
    stopTrimming = io.trimMemoryAfterBursts?.();
    for (const spec of sockets) {
      const address = spec.address;
      const host = ipHostOf(address);
      if (host !== null && !isLoopback(host)) {
        io.stderr(
          `midgram: warning: ${
            formatAddress(address)
          } is not a loopback address and the management protocols have no ` +
            "authentication (they serve kill, cache_store and exec commands): " +
            "restrict peers with --allow CIDR\n",
        );
      }
      const bound = await server.listen(address, {
        mode,
        uid,
        gid,
        dialect: spec.dialect as DialectName,
        flavour: spec.flavour,
      });
      io.stdout(
        `listening on ${formatAddress(bound)}${
          spec.dialect === "mi" ? "" : ` (${spec.dialect}${spec.flavour ? `/${spec.flavour}` : ""})`
        }\n`,
      );
    }
    await whenAborted(stop.signal);
    logger.log("info", "stopping");
    // Stopped by a signal: 128+N, as every catchable stop signal ends midgram.
    return interruptedStatus(io.interrupted);
  } finally {
    io.interrupted.removeEventListener("abort", onInterrupt);
    stopTrimming?.();
    await metrics?.close();
    // Running commands finish and answer within the grace period; a second signal cancels them.
    await server.close({ timeoutMs: stopTimeoutMs, signal: io.forced });
  }
}

/**
 * Builds the `serve` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { serveCommand } from "./serve.ts";
 * import { captureIo } from "../io.ts";
 * const program = new Command("midgram").addCommand(serveCommand(captureIo(), { code: 0 }));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["serve"]);
 * ```
 */
export function serveCommand(io: Io, status: { code: number }): Command {
  return new Command("serve")
    .summary("run a management server (text MI, JSON-RPC, binrpc, ctlfifo)")
    .description(
      "Serves the management protocols of OpenSIPS and Kamailio on many sockets at once, each\n" +
        "in its own dialect, with the real servers' built-in commands in each one's layout\n" +
        "(OpenSIPS 2.4 for text MI, OpenSIPS 3 or Kamailio for JSON-RPC, Kamailio for binrpc\n" +
        "and for ctlfifo, the old FIFO protocol of Kamailio's ctl on FIFOs, UDP and TCP)\n" +
        "and the commands of the config file. When a socket is ready it prints\n" +
        '"listening on ADDR" on stdout (scripts can wait for that line). SIGINT or SIGTERM stop\n' +
        "it: it stops receiving at once, lets running commands finish and answer within\n" +
        "--stop-timeout, cancels what is left (500 command cancelled), removes its socket\n" +
        "files and exits 128+N; a second signal exits at once.",
    )
    .option(
      "-s, --socket <addr>",
      "[DIALECT[/FLAVOUR]=]ADDRESS to serve, e.g. /path, jsonrpc=udp:HOST:PORT, binrpc=tcp:HOST:PORT (repeatable)",
      collect,
    )
    .addOption(
      new Option("--dialect <dialect>", "dialect of sockets given without one [default: mi]")
        .choices(DIALECTS as string[]),
    )
    .addOption(
      new Option("--flavour <flavour>", "JSON-RPC: answer as opensips (3.x) or kamailio (jsonrpcs)")
        .choices(["opensips", "kamailio"]),
    )
    .option("--mode <octal>", "UNIX socket file mode [default: 0660]")
    .option("--user <name|uid>", "owner of the UNIX socket files")
    .option("--group <name|gid>", "group of the UNIX socket files")
    .option("--reply-indent <string>", "indent string of replies (\\t for TAB) [default: \\t]")
    .option("--timeout <duration>", "time limit for sending a reply [default: 2000ms]")
    .option("--handler-timeout <duration>", "a command running longer answers 500 [default: 10s]")
    .option(
      "--stop-timeout <duration>",
      "on stop, running commands may finish for this long [default: 10s]",
    )
    .option("--children <n>", "commands running at once [default: 4]")
    .option("--config <file>", "configuration file (see the README for the search path)")
    .addOption(
      new Option("--log-level <level>", "log level").choices(["error", "warn", "info", "debug"]),
    )
    .addOption(new Option("--log-format <format>", "log format").choices(["text", "json"]))
    .option(
      "--allow <cidr>",
      "answer UDP, TCP and HTTP peers in this range only (repeatable)",
      collect,
    )
    .option(
      "--idle-timeout <duration>",
      "close a stream or HTTP connection silent this long [default: 5s]",
    )
    .option(
      "--max-connections <n>",
      "connections open at once per stream or HTTP socket [default: 256]",
    )
    .option("--disable <command>", "turn a built-in command off, e.g. kill (repeatable)", collect)
    .option("--no-builtins", "serve only the commands of the config file")
    .option("--metrics <host:port>", "serve the counters to Prometheus at http://HOST:PORT/metrics")
    .option(
      "--fifo-reply-dir <dir>",
      "FIFO sockets: where clients make reply FIFOs [default: /tmp]",
    )
    .option(
      "--autoconversion",
      "binrpc: convert parameters of another type where ctl can (ctl's autoconversion)",
    )
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}

Examples:
  $ midgram serve -s /run/midgram/midgram.sock --group opensips
  $ midgram serve -s /tmp/mi.sock -s udp:127.0.0.1:8080 --disable kill
  $ midgram serve -s jsonrpc=/tmp/opensips.sock -s binrpc=unixs:/tmp/ctl
  $ midgram serve -s ctlfifo=fifo:/tmp/kamailio_fifo -s ctlfifo=udp:127.0.0.1:2050
  $ midgram serve --config /etc/midgram/midgram.toml`,
    )
    .action(async (options: ServeOptions) => {
      status.code = await runServe(options, io);
    });
}
