/**
 * `midgram send`: the client for shell scripts, in every dialect. Builds a
 * request from words, a file or stdin, waits for the reply, prints it, and
 * exits with one status per outcome (the table in `lib/errors.ts`).
 *
 * @module
 */
import { Command, Option } from "commander";
import { call } from "../../lib/client/call.ts";
import { methodsAt } from "../../lib/client/methods.ts";
import { parseDuration } from "../../lib/duration.ts";
import { EXIT, exitStatusHelp, MidgramError } from "../../lib/errors.ts";
import type { DialectName } from "../../lib/protocol/dialect.ts";
import { peerOf } from "../../lib/protocol/peer.ts";
import { analyzeRequest } from "../../lib/protocol/mi/analyze_request.ts";
import { DIALECT_CHOICES, parseSocketSpec, type SocketSpec } from "../../lib/socket_spec.ts";
import { loadConfig } from "../_config_file.ts";
import { chooseSockets, DEFAULT_SOCKET, namedDialect, noServerFound } from "../_sockets.ts";
import { readInput } from "../_files.ts";
import { type Io, pause } from "../io.ts";
import { runInteractive } from "./_interactive.ts";
import { type OutputMode, renderReply } from "./_send_output.ts";
import { runBatch } from "./_send_batch.ts";
import {
  aliasOf,
  callOptions,
  classify,
  dialectOf,
  type Outcome,
  requestFor,
  type RequestSource,
  type SendOptions,
  statusOf,
  unescapeIndent,
} from "./_send_common.ts";

export type { SendOptions } from "./_send_common.ts";

async function once(
  spec: SocketSpec,
  source: RequestSource,
  options: SendOptions,
  settings: { timeoutMs: number; retries: number; indent: string },
  io: Io,
): Promise<Outcome> {
  let dialect: DialectName | null = null;
  try {
    const found = await dialectOf(spec, io, settings.timeoutMs, options.quiet === true);
    dialect = found.dialect;
    const request = requestFor(
      dialect,
      source,
      options,
      (message) => io.stderr(`midgram: warning: ${message}\n`),
    );
    const reply = await call(found.address, request, callOptions(io, found, settings, options));
    const format = aliasOf(dialect, source)?.format ?? undefined;
    return { ...classify(spec, dialect, reply), format };
  } catch (error) {
    if (error instanceof MidgramError && error.code === "usage") throw error;
    return {
      spec,
      dialect,
      exit: statusOf(error, io),
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

export function outputMode(options: SendOptions): OutputMode {
  const chosen = [
    options.json && "--json",
    options.raw && "--raw",
    options.value !== undefined && "--value",
    options.format !== undefined && "--format",
  ].filter(Boolean);
  if (chosen.length > 1) {
    throw new MidgramError("usage", `${chosen.join(" and ")} cannot be used together`);
  }
  if (options.json) return { kind: "json" };
  if (options.raw) return { kind: "raw" };
  if (options.value !== undefined) return { kind: "value", path: options.value };
  if (options.format !== undefined) return { kind: "format", format: options.format };
  return { kind: "default" };
}

function print(
  io: Io,
  outcomes: Outcome[],
  options: SendOptions,
  mode: OutputMode,
  prompt = false,
): number {
  let worst = 0;
  const labelled = outcomes.length > 1;
  const json: string[] = [];
  for (const o of outcomes) {
    let exit = o.exit;
    // At the prompt an error reply is shown once, as the server wrote it
    // (stdout and stderr are the same screen there).
    const shownAsReply = prompt && o.reply?.outcome?.kind === "error" && !options.quiet &&
      mode.kind !== "value" && mode.kind !== "format";
    // Quiet hides replies and error replies; why there is no reply is still said.
    if (o.message && (!options.quiet || o.exit > EXIT.problem) && !shownAsReply) {
      io.stderr(`midgram: ${o.message}\n`);
    }
    if (!options.quiet && o.reply && o.dialect) {
      const shown: OutputMode = mode.kind === "default" && o.format !== undefined
        ? { kind: "format", format: o.format }
        : mode;
      const rendered = renderReply(o.dialect, o.reply, shown, {
        pretty: io.stdoutIsTTY,
        indent: unescapeIndent(options.indent ?? "\\t"),
      });
      if (rendered.missing) {
        io.stderr(`midgram: ${rendered.missing} in the reply from "${o.spec.text}"\n`);
        exit = Math.max(exit, EXIT.problem);
      }
      if (mode.kind === "json" && labelled) {
        json.push(`${JSON.stringify(o.spec.text)}: ${rendered.text ?? "null"}`);
      } else if (rendered.bytes) {
        if (labelled && mode.kind !== "value") io.stdout(`==> ${o.spec.text} <==\n`);
        if (labelled && mode.kind === "value") io.stdout(`${o.spec.text}: `);
        io.stdout(rendered.bytes);
      }
    } else if (!options.quiet && mode.kind === "json" && labelled) {
      json.push(`${JSON.stringify(o.spec.text)}: ${JSON.stringify({ error: o.message ?? "" })}`);
    } else if (!options.quiet && labelled && mode.kind !== "value") {
      // Every target has its block, a failed one too (the reason is on stderr).
      io.stdout(`==> ${o.spec.text} <==\n(no reply: exit ${o.exit})\n`);
    }
    worst = Math.max(worst, exit);
  }
  if (json.length > 0) io.stdout(`{\n  ${json.join(",\n  ")}\n}\n`);
  return worst;
}

/** Reads the request from `-f` or stdin; an empty stdin is a usage error at once. */
async function readRequestBytes(
  options: SendOptions,
  io: Io,
): Promise<{ bytes: Uint8Array; name: string }> {
  const file = options.file ?? "-";
  const bytes = file === "-" ? await io.readStdin() : readInput(file);
  if (bytes.length === 0) {
    throw new MidgramError(
      "usage",
      file === "-"
        ? "Missing command: stdin is empty (midgram send [options] COMMAND [ARG...])"
        : `Cannot send "${file}": the file is empty`,
    );
  }
  return { bytes, name: file === "-" ? "<stdin>" : file };
}

/** Runs `send`; returns the exit status. */
export async function runSend(
  method: string | undefined,
  words: string[],
  options: SendOptions,
  io: Io,
): Promise<number> {
  const { config } = loadConfig({ path: options.config, env: io.env });
  const dialect = namedDialect(options.dialect, io.env, config.client.dialect);
  const flavour = options.flavour ?? config.client.flavour;
  const mode = outputMode(options);
  const timeoutMs = options.timeout !== undefined
    ? parseDuration(options.timeout, "--timeout")
    : config.client.timeoutMs ?? 5000;
  if (timeoutMs <= 0) throw new MidgramError("usage", "--timeout must be more than 0");
  const chosen = await chooseSockets({
    flag: options.socket,
    env: io.env,
    configured: config.client.socket,
    transport: io.transport,
    timeoutMs,
    say: io.stderrIsTTY && !options.quiet
      ? (message) => io.stderr(`midgram: ${message}\n`)
      : undefined,
  });
  if (chosen.tried) throw noServerFound(chosen.tried);
  const specs = chosen.texts.map((t) => parseSocketSpec(t, dialect, flavour));
  let retries = config.client.retries ?? 0;
  if (options.retries !== undefined) {
    if (!/^\d+$/.test(options.retries)) {
      throw new MidgramError(
        "usage",
        `Cannot parse --retries "${options.retries}": expected a whole number`,
      );
    }
    retries = Number(options.retries);
  }
  const indent = unescapeIndent(options.indent ?? "\\t");
  const settings = { timeoutMs, retries, indent };

  if (options.batch !== undefined) {
    if (method !== undefined || options.file !== undefined || options.watch !== undefined) {
      throw new MidgramError("usage", "--batch takes no COMMAND, --file or --watch");
    }
    if (mode.kind === "value" || mode.kind === "format") {
      throw new MidgramError("usage", `--batch prints whole replies: drop --${mode.kind}`);
    }
    const input = options.batch === "-" ? await io.readStdin() : readInput(options.batch);
    let worst = 0;
    for (const spec of specs) {
      worst = Math.max(worst, await runBatch(spec, input, options, settings, mode, io));
    }
    return worst;
  }
  let source: RequestSource;
  if (options.file !== undefined || (method === undefined && !io.stdinIsTTY)) {
    if (method !== undefined) {
      throw new MidgramError("usage", "Give either a COMMAND or --file, not both");
    }
    const { bytes, name } = await readRequestBytes(options, io);
    source = { kind: "bytes", bytes, name };
    if (bytes[0] === 0x3a && specs.every((s) => s.dialect === "mi" || s.dialect === "auto")) {
      for (const e of analyzeRequest(bytes).errors) {
        io.stderr(`midgram: warning: ${name}:${e.line}:${e.column}: ${e.message} (sent anyway)\n`);
      }
    }
  } else if (method === undefined) {
    if (io.terminal && specs.length === 1) {
      return await interactive(specs[0], options, settings, io);
    }
    throw new MidgramError("usage", "Missing command: midgram send [options] COMMAND [ARG...]");
  } else {
    source = { kind: "words", method, words };
  }

  const exchange = async () =>
    print(
      io,
      await Promise.all(specs.map((s) => once(s, source, options, settings, io))),
      options,
      mode,
    );
  if (options.watch === undefined) return await exchange();
  const every = parseDuration(options.watch, "--watch");
  if (every <= 0) throw new MidgramError("usage", "--watch needs an interval of more than 0");
  let status = 0;
  while (!io.interrupted.aborted) {
    status = await exchange();
    if (await pause(every, io.interrupted)) break;
  }
  // Interrupting a watch is how it ends: report the last round.
  return status >= EXIT.signal ? 0 : status;
}

async function interactive(
  spec: SocketSpec,
  options: SendOptions,
  settings: { timeoutMs: number; retries: number; indent: string },
  io: Io,
): Promise<number> {
  const found = await dialectOf(spec, io, settings.timeoutMs, options.quiet === true)
    .catch((error) => {
      // Say why (a missing socket is named as missing); the prompt opens anyway.
      io.stderr(`midgram: ${error instanceof Error ? error.message : error}\n`);
      const dialect: DialectName = spec.dialect === "auto" ? "mi" : spec.dialect;
      return { dialect, flavour: spec.flavour, address: spec.address };
    });
  const fixed: SocketSpec = {
    ...spec,
    address: found.address,
    dialect: found.dialect,
    flavour: found.flavour,
  };
  const mode = outputMode(options);
  return await runInteractive({
    label: spec.text,
    dialect: found.dialect,
    methods: () =>
      methodsAt(fixed, {
        transport: io.transport,
        timeoutMs: 1000,
        replyDir: options.replyDir,
        indent: settings.indent,
      }),
    exchange: async (method, words, signal) => {
      const sub: Io = { ...io, interrupted: signal };
      const outcome = await once(
        fixed,
        { kind: "words", method, words },
        options,
        settings,
        sub,
      );
      print(io, [outcome], options, mode, true);
    },
    // `help METHOD` asks the server: `help` (text MI, OpenSIPS 3) or system.methodHelp.
    help: async (method, signal) => {
      const sub: Io = { ...io, interrupted: signal };
      const outcome = await once(
        fixed,
        {
          kind: "words",
          method: peerOf(found.dialect, found.flavour).methods.help,
          words: [method],
        },
        options,
        settings,
        sub,
      );
      print(io, [outcome], options, mode, true);
    },
  }, io);
}

/**
 * Builds the `send` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { sendCommand } from "./send.ts";
 * import { captureIo } from "../io.ts";
 * const program = new Command("midgram").addCommand(sendCommand(captureIo(), { code: 0 }));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["send"]);
 * ```
 */
export function sendCommand(io: Io, status: { code: number }): Command {
  return new Command("send")
    .summary("send one request and print the reply")
    .description(
      "Sends METHOD with its parameters (or a request file byte for byte) in the\n" +
        "server's dialect and prints the reply. Text MI: each PARAM is one argument\n" +
        "line (name::value or value). JSON-RPC: words are positional, name=value\n" +
        "words named; numbers, true/false/null and JSON lists/objects keep their\n" +
        "type, s:TEXT is always a string. binrpc: kamcmd's typing (s:TEXT a string,\n" +
        "d:N a double).",
    )
    .argument("[method]", "the method (command), e.g. get_statistics or core.version")
    .argument("[param...]", "its parameters")
    .option(
      "-s, --socket <addr>",
      `server address ([DIALECT=]/path, unix:/path, unixs:/path, unixd:/path, udp:HOST:PORT, tcp:HOST:PORT, fifo:/path, http://HOST:PORT/PATH); repeat for several servers [default: $MIDGRAM_SOCKET, [client] socket, ${DEFAULT_SOCKET}, else the first of the servers' own defaults that answers]`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(
      new Option(
        "--dialect <dialect>",
        "mi, jsonrpc, binrpc, ctlfifo, or auto: ask the server [default: $MIDGRAM_DIALECT, [client] dialect, auto]",
      )
        .choices(DIALECT_CHOICES as string[]),
    )
    .addOption(
      new Option("--flavour <flavour>", "JSON-RPC: whose conventions (opensips or kamailio)")
        .choices(["opensips", "kamailio"]),
    )
    .option("-f, --file <file>", "send this request file byte for byte (- for stdin)")
    .option("--params <json>", "JSON-RPC/binrpc parameters as a JSON list or object")
    .option(
      "-t, --timeout <duration>",
      "how long to wait for the reply, on every transport [default: 5s]",
    )
    .option("--retries <n>", "UDP: extra attempts after a timeout [default: 0]")
    .option("--json", "print the reply as JSON (MI: the tree; binrpc: lossless)")
    .option("--raw", "print the reply's bytes exactly as they came")
    .option(
      "--value <path>",
      "print one value: MI a node name, else a member path such as Processes.0.PID",
    )
    .option("--format <fmt>", "binrpc: kamcmd's -f format, e.g. '%v\\t%v\\n'")
    .option("-q, --quiet", "print nothing; the exit status tells")
    .option("--indent <string>", "text MI: the server's reply indent (\\t for TAB)", "\\t")
    .option("--watch <duration>", "repeat every DURATION until interrupted")
    .option(
      "--reply-dir <dir>",
      "FIFO: the server's reply directory (reply_dir) [default: the one its config file sets, when readable; else /tmp]",
    )
    .option(
      "--batch <file>",
      "send every request of FILE (- for stdin), one per line (METHOD PARAM... with shell quoting), over one socket; each reply follows a '==> N: METHOD (exit S) <==' line (JSON lines with --json)",
    )
    .option("--batch-raw", "with --batch: raw requests separated by NUL bytes (or blank lines)")
    .option("--config <file>", "configuration file (see the README for the search path)")
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}

Examples:
  $ midgram send -s /run/opensips/mi.sock get_statistics dialog: tm:
  $ midgram send -s jsonrpc=/run/opensips/mi.sock get_statistics all
  $ midgram send -s unixs:/run/kamailio/kamailio_ctl core.uptime
  $ midgram send -s fifo:/run/opensips/opensips_fifo --value Server version
  $ midgram send -s /run/kamailio/kamailio_ctl --batch requests.txt
  $ midgram send -s /run/opensips/mi.sock    # on a terminal: a prompt`,
    )
    .action(async (method: string | undefined, params: string[], options: SendOptions) => {
      status.code = await runSend(method, params, options, io);
    });
}
