/**
 * `midgram exporter`: a Prometheus exporter for OpenSIPS and Kamailio
 * targets of every dialect and transport at once.
 *
 * @module
 */
import { Command, Option } from "commander";
import { parseDuration } from "../../lib/duration.ts";
import { errorCodeOf, exitStatusHelp, interruptedStatus, MidgramError } from "../../lib/errors.ts";
import { transportClient } from "../../lib/exporter/client.ts";
import { type ExporterConfig, parseExporterConfig } from "../../lib/exporter/config.ts";
import { createExporter } from "../../lib/exporter/exporter.ts";
import { parseListen, serveMetricsHttp } from "../../lib/exporter/http.ts";
import { EXAMPLE_MAPPINGS } from "../../lib/exporter/mapping.ts";
import { DIALECT_CHOICES, type DialectChoice, parseSocketSpec } from "../../lib/socket_spec.ts";
import { formatHost } from "../../lib/transport/address.ts";
import { VERSION } from "../../lib/version.ts";
import { loadConfig } from "../_config_file.ts";
import { createLogger } from "../_logger.ts";
import { type Io, whenAborted } from "../io.ts";
import { collect } from "../_options.ts";

/** Options of `midgram exporter`, as commander hands them over. */
export interface ExporterCommandOptions {
  listen?: string;
  socket?: string[];
  dialect?: DialectChoice;
  scrapeTimeout?: string;
  targetTimeout?: string;
  gauge?: string[];
  example?: string[];
  config?: string;
  fifoReplyDir?: string;
  logLevel?: "error" | "warn" | "info" | "debug";
  logFormat?: "text" | "json";
}

/** Runs the exporter until interrupted; returns the exit status. */
export async function runExporter(options: ExporterCommandOptions, io: Io): Promise<number> {
  const { config } = loadConfig({ path: options.config, env: io.env });
  const c: ExporterConfig = config.exporter
    ? parseExporterConfig(config.exporter.table, config.exporter.text, config.exporter.file)
    : { mappings: [] };
  const listenText = options.listen ?? c.listen;
  if (listenText === undefined) {
    throw new MidgramError("usage", "No address to listen on: give --listen HOST:PORT");
  }
  const listen = parseListen(listenText);
  const dialect = options.dialect ?? c.dialect ?? "auto";
  const targets = (options.socket?.length ? options.socket : c.targets ?? [])
    .map((t) => parseSocketSpec(t, dialect));
  if (targets.length === 0) {
    throw new MidgramError("usage", "No target to scrape: give -s ADDR (or targets in [exporter])");
  }
  const mappings = [...c.mappings];
  for (const name of options.example ?? []) {
    const example = EXAMPLE_MAPPINGS[name];
    if (!example) {
      throw new MidgramError(
        "usage",
        `Unknown example "${name}" (known: ${Object.keys(EXAMPLE_MAPPINGS).join(", ")})`,
      );
    }
    mappings.push(example);
  }
  const logger = createLogger(
    (line) => io.stderr(line),
    options.logLevel ?? "info",
    options.logFormat ?? "text",
  );
  // Each target's last failure is logged once, not on every scrape.
  const lastError = new Map<string, string>();
  const exporter = createExporter({
    targets,
    client: transportClient(io.transport),
    scrapeTimeoutMs: options.scrapeTimeout !== undefined
      ? parseDuration(options.scrapeTimeout, "--scrape-timeout")
      : c.scrapeTimeoutMs,
    targetTimeoutMs: options.targetTimeout !== undefined
      ? parseDuration(options.targetTimeout, "--target-timeout")
      : c.targetTimeoutMs,
    mappings,
    fifoReplyDir: options.fifoReplyDir ?? c.fifoReplyDir,
    gauges: [...(c.gauges ?? []), ...(options.gauge ?? [])],
    onError: (target, method, error) => {
      const message = `${target}: ${method}: ${error instanceof Error ? error.message : error}`;
      const key = `${target}\u0000${method}`;
      if (lastError.get(key) === message) return;
      lastError.set(key, message);
      logger.log(errorCodeOf(error) === "internal" ? "error" : "warn", message);
    },
  });
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupted.addEventListener("abort", onInterrupt, { once: true });
  let http;
  try {
    http = await serveMetricsHttp({
      listen,
      metrics: (format, timeoutMs) => exporter.metrics(format, timeoutMs),
      title: `midgram ${VERSION} exporter`,
      lines: targets.map((t) => `target ${t.text} (${t.dialect})`),
      onError: (error) => logger.log("error", `scrape failed: ${error}`),
    });
    io.stdout(
      `listening on http://${formatHost(http.address.host)}:${http.address.port}/metrics\n`,
    );
    await whenAborted(stop.signal);
    logger.log("info", "stopping");
    // Stopped by a signal: 128+N, as every catchable stop signal ends midgram.
    return interruptedStatus(io.interrupted);
  } finally {
    io.interrupted.removeEventListener("abort", onInterrupt);
    await http?.close();
  }
}

/**
 * Builds the `exporter` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { exporterCommand } from "./exporter.ts";
 * import { captureIo } from "../io.ts";
 * const program = new Command("midgram").addCommand(exporterCommand(captureIo(), { code: 0 }));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["exporter"]);
 * ```
 */
export function exporterCommand(io: Io, status: { code: number }): Command {
  return new Command("exporter")
    .summary("serve the statistics of OpenSIPS and Kamailio servers to Prometheus")
    .description(
      "Serves /metrics (Prometheus text format, or OpenMetrics when the Accept header asks),\n" +
        "a landing page at / and /-/healthy. Each scrape asks every target at once, each\n" +
        "within a time limit below the scrape's (X-Prometheus-Scrape-Timeout-Seconds), and\n" +
        "reports midgram_target_up, its duration and errors per target: a dead target never\n" +
        "fails the scrape. Targets given as auto have their dialect found once and again after\n" +
        'a failure. When ready it prints "listening on URL" on stdout.',
    )
    .option("--listen <host:port>", "where to serve HTTP, e.g. 127.0.0.1:9494 (binds only there)")
    .option(
      "-s, --socket <addr>",
      "[DIALECT[/FLAVOUR]=]ADDRESS of a target, e.g. binrpc=unixs:/run/kamailio/kamailio_ctl (repeatable)",
      collect,
    )
    .addOption(
      new Option("--dialect <dialect>", "dialect of targets given without one [default: auto]")
        .choices(DIALECT_CHOICES as string[]),
    )
    .option(
      "--scrape-timeout <duration>",
      "longest scrape when the scraper gives none [default: 10s]",
    )
    .option("--target-timeout <duration>", "longest time for one target [default: 5s]")
    .option(
      "--gauge <group:name>",
      "a statistic that is a gauge, * for any text (repeatable)",
      collect,
    )
    .option(
      "--example <name>",
      `a ready RPC mapping: ${Object.keys(EXAMPLE_MAPPINGS).join(", ")} (repeatable)`,
      collect,
    )
    .option(
      "--fifo-reply-dir <dir>",
      "FIFO targets: the server's reply directory [default: its configured one, else /tmp]",
    )
    .option("--config <file>", "configuration file with an [exporter] table")
    .addOption(
      new Option("--log-level <level>", "log level").choices(["error", "warn", "info", "debug"]),
    )
    .addOption(new Option("--log-format <format>", "log format").choices(["text", "json"]))
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}

Examples:
  $ midgram exporter --listen 127.0.0.1:9494 -s unixs:/run/kamailio/kamailio_ctl
  $ midgram exporter --listen 127.0.0.1:9494 -s /run/opensips/mi.sock \\
      -s udp:10.0.0.2:8080
  $ midgram exporter --listen 127.0.0.1:9494 -s /run/kamailio/rpc.sock \\
      --example kamailio-dialogs`,
    )
    .action(async (options: ExporterCommandOptions) => {
      status.code = await runExporter(options, io);
    });
}
