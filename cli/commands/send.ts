/**
 * `midgram send`: the client for shell scripts. Builds a request from
 * arguments, a file or stdin, waits for the reply, prints it raw or as JSON,
 * and exits with a code per outcome.
 *
 * @module
 */
import { Command } from "commander";
import { sendRequest } from "../../lib/client/request.ts";
import { parseDuration } from "../../lib/duration.ts";
import { ERROR_DISPOSITIONS, errorCodeOf, MidgramError } from "../../lib/errors.ts";
import { analyzeRequest } from "../../lib/protocol/mi/analyze_request.ts";
import { argumentFromText, formatRequest } from "../../lib/protocol/mi/format_request.ts";
import { MAX_DATAGRAM_SIZE } from "../../lib/protocol/mi/limits.ts";
import type { MiNode } from "../../lib/protocol/mi/types.ts";
import { formatAddress, parseAddress } from "../../lib/transport/address.ts";
import type { Address } from "../../lib/transport/types.ts";
import { loadConfig } from "../_config_file.ts";
import { readInput } from "../_files.ts";
import type { Io } from "../io.ts";
import { runInteractive } from "./_interactive.ts";

/** Where `send` goes when no socket is named anywhere. */
export const DEFAULT_SOCKET = "/run/midgram/midgram.sock";

/** Options of `midgram send`, as commander hands them over. */
export interface SendOptions {
  socket?: string[];
  file?: string;
  timeout?: string;
  retries?: string;
  json?: boolean;
  value?: string;
  quiet?: boolean;
  indent?: string;
  watch?: string;
  config?: string;
}

/** Exit statuses of `send`, in the README's table. */
export const SEND_EXIT = {
  ok: 0,
  errorReply: 1,
  usage: 2,
  timeout: 3,
  transport: 4,
  cut: 5,
} as const;

interface Outcome {
  address: string;
  exit: number;
  bytes?: Uint8Array;
  nodes?: MiNode[];
  code?: number;
  reason?: string;
  message?: string;
}

function findValue(nodes: MiNode[], name: string): string | null | undefined {
  for (const n of nodes) {
    if (n.name === name) return n.value ?? "";
    const deeper = findValue(n.children, name);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

function unescapeIndent(text: string): string {
  return text.replace(/\\t/g, "\t").replace(/\\s/g, " ");
}

async function once(
  address: Address,
  request: Uint8Array,
  options: { timeoutMs: number; retries: number; indent: string; signal: AbortSignal },
): Promise<Outcome> {
  const label = formatAddress(address);
  try {
    const result = await sendRequest(address, request, options);
    const base = { address: label, bytes: result.bytes };
    if (result.error) {
      return { ...base, exit: SEND_EXIT.cut, message: result.error.message };
    }
    const reply = result.reply!;
    const ok = reply.code >= 200 && reply.code < 300;
    return {
      ...base,
      exit: ok ? SEND_EXIT.ok : SEND_EXIT.errorReply,
      nodes: reply.nodes,
      code: reply.code,
      reason: reply.reason,
      message: ok ? undefined : `"${label}" answered ${reply.code} ${reply.reason}`,
    };
  } catch (error) {
    const code = errorCodeOf(error);
    const exit = code === "timeout"
      ? SEND_EXIT.timeout
      : code === "closed"
      ? 130
      : code === null
      ? 1
      : ERROR_DISPOSITIONS[code].exit;
    return {
      address: label,
      exit,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

function print(io: Io, outcomes: Outcome[], options: SendOptions, labelled: boolean): number {
  let worst = 0;
  const json: Record<string, unknown> = {};
  for (const o of outcomes) {
    worst = Math.max(worst, o.exit);
    if (o.message) io.stderr(`midgram: ${o.message}\n`);
    if (options.quiet) continue;
    if (options.json) {
      const value = o.code === undefined
        ? { error: o.message ?? "no reply" }
        : { code: o.code, reason: o.reason, nodes: o.nodes };
      if (labelled) json[o.address] = value;
      else if (o.code !== undefined) io.stdout(JSON.stringify(value, null, 2) + "\n");
      continue;
    }
    if (options.value !== undefined) {
      if (!o.nodes) continue;
      const value = findValue(o.nodes, options.value);
      if (value === undefined) {
        io.stderr(`midgram: no node named "${options.value}" in the reply from "${o.address}"\n`);
        worst = Math.max(worst, SEND_EXIT.errorReply);
        continue;
      }
      io.stdout(labelled ? `${o.address}: ${value}\n` : `${value}\n`);
      continue;
    }
    if (!o.bytes) continue;
    if (labelled) io.stdout(`==> ${o.address} <==\n`);
    io.stdout(o.bytes);
  }
  if (options.json && labelled && !options.quiet) io.stdout(JSON.stringify(json, null, 2) + "\n");
  return worst;
}

/** Runs `send`; returns the exit status. */
export async function runSend(
  command: string | undefined,
  args: string[],
  options: SendOptions,
  io: Io,
): Promise<number> {
  const { config } = loadConfig({ path: options.config, env: io.env });
  const sockets = options.socket && options.socket.length > 0
    ? options.socket
    : io.env.MIDGRAM_SOCKET
    ? [io.env.MIDGRAM_SOCKET]
    : [config.client.socket ? formatAddress(config.client.socket) : DEFAULT_SOCKET];
  const addresses = sockets.map(parseAddress);
  const timeoutMs = options.timeout !== undefined
    ? parseDuration(options.timeout, "--timeout")
    : config.client.timeoutMs ?? 5000;
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
  const indent = unescapeIndent(options.indent ?? "\t");

  let request: Uint8Array;
  if (options.file !== undefined || (command === undefined && !io.stdinIsTTY)) {
    if (command !== undefined) {
      throw new MidgramError("usage", "Give either a COMMAND or --file, not both");
    }
    const file = options.file ?? "-";
    request = file === "-" ? await io.readStdin() : readInput(file);
    if (request.length > MAX_DATAGRAM_SIZE) {
      throw new MidgramError(
        "request-too-large",
        `Cannot send "${file}": ${request.length} bytes, the limit is ${MAX_DATAGRAM_SIZE}`,
      );
    }
    const analysis = analyzeRequest(request);
    for (const e of analysis.errors) {
      io.stderr(
        `midgram: warning: ${
          file === "-" ? "<stdin>" : file
        }:${e.line}:${e.column}: ${e.message} (sent anyway)\n`,
      );
    }
  } else {
    if (command === undefined) {
      if (io.terminal && addresses.length === 1) {
        return await runInteractive(addresses[0], { timeoutMs, indent }, io);
      }
      throw new MidgramError("usage", "Missing command: midgram send [options] COMMAND [ARG...]");
    }
    try {
      request = new TextEncoder().encode(formatRequest(command, args.map(argumentFromText)));
    } catch (error) {
      if (error instanceof MidgramError && error.code === "unrepresentable") {
        throw new MidgramError("usage", error.message);
      }
      throw error;
    }
  }

  const labelled = addresses.length > 1;
  const exchange = async () =>
    print(
      io,
      await Promise.all(
        addresses.map((a) =>
          once(a, request, { timeoutMs, retries, indent, signal: io.interrupted })
        ),
      ),
      options,
      labelled,
    );
  if (options.watch === undefined) return await exchange();
  const every = parseDuration(options.watch, "--watch");
  let status = 0;
  while (!io.interrupted.aborted) {
    status = await exchange();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, every);
      io.interrupted.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
  return status === 130 ? 0 : status;
}

/**
 * Builds the `send` subcommand.
 *
 * @example
 * ```ts
 * import { Command } from "commander";
 * import { sendCommand } from "./send.ts";
 * import { captureIo } from "../io.ts";
 * new Command("midgram").addCommand(sendCommand(captureIo(), { code: 0 }));
 * ```
 */
export function sendCommand(io: Io, status: { code: number }): Command {
  return new Command("send")
    .summary("send one request and print the reply")
    .description(
      "Sends COMMAND with each ARG as one argument line (name::value or value; quoted\n" +
        "automatically when it must be), or a request file byte for byte, and prints the reply.",
    )
    .argument("[command]", "the MI command, e.g. get_statistics")
    .argument("[arg...]", "argument lines: name::value or value")
    .option(
      "-s, --socket <addr>",
      `server address (/path, unix:/path, udp:HOST:PORT); repeat for several servers [default: $MIDGRAM_SOCKET, [client] socket, ${DEFAULT_SOCKET}]`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("-f, --file <file>", "send this request file byte for byte (- for stdin)")
    .option("-t, --timeout <duration>", "how long to wait for the reply [default: 5s]")
    .option("--retries <n>", "UDP: extra attempts after a timeout [default: 0]")
    .option("--json", "print the reply tree as JSON")
    .option("--value <name>", "print only the value of the first node with this name")
    .option("-q, --quiet", "print nothing; the exit status tells")
    .option("--indent <string>", "the server's reply indent (\\t for TAB)", "\\t")
    .option("--watch <duration>", "repeat every DURATION until interrupted")
    .option("--config <file>", "configuration file (see the README for the search path)")
    .addHelpText(
      "after",
      `
Exit status: 0 a 2xx reply, 1 an error reply, 2 usage error, 3 no reply in time,
4 transport error (no socket, permission denied, ...), 5 a reply that was cut.

Examples:
  $ midgram send -s /run/opensips/mi.sock get_statistics dialog: tm:
  $ midgram send -s udp:127.0.0.1:8080 --value "Up time" uptime
  $ printf ':version:\\n' | midgram send -s /tmp/kamailio.sock --json
  $ midgram send -s /run/opensips/mi.sock      # on a terminal: an interactive prompt`,
    )
    .action(async (command: string | undefined, args: string[], options: SendOptions) => {
      status.code = await runSend(command, args, options, io);
    });
}
