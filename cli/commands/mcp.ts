/**
 * `midgram mcp`: OpenSIPS and Kamailio for AI assistants, over the Model
 * Context Protocol (stdio, or streamable HTTP with a bearer token);
 * read-only unless the operator allows writes.
 *
 * @module
 */
import { appendFileSync, readFileSync, statSync } from "node:fs";
import { Command, Option } from "commander";
import { parseDuration } from "../../lib/duration.ts";
import { exitStatusHelp, interruptedStatus, MidgramError } from "../../lib/errors.ts";
import { parseListen } from "../../lib/exporter/http.ts";
import { parseMcpConfig } from "../../lib/mcp/config.ts";
import { type AuditEntry, createMcpTools } from "../../lib/mcp/tools.ts";
import { type DialectChoice, parseSocketSpec } from "../../lib/socket_spec.ts";
import { VERSION } from "../../lib/version.ts";
import { loadConfig } from "../_config_file.ts";
import { type Io, whenAborted } from "../io.ts";
import { collect } from "../_options.ts";

/** Options of `midgram mcp`, as commander hands them over. */
export interface McpCommandOptions {
  socket?: string[];
  dialect?: DialectChoice;
  config?: string;
  allowWrite?: string[];
  http?: string;
  tokenFile?: string;
  audit?: string;
  timeout?: string;
  maxReplyBytes?: string;
  rate?: string;
  fifoReplyDir?: string;
}

/** Where the token comes from: a file (not readable by others), else `MIDGRAM_MCP_TOKEN`. */
function readToken(file: string | undefined, io: Io): string | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      if ((statSync(file).mode & 0o004) !== 0) {
        io.stderr(`midgram: warning: the token file "${file}" is readable by every user\n`);
      }
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new MidgramError(
        "usage",
        `Cannot read the token file "${file}": ${(error as Error).message}`,
      );
    }
    const token = text.trim();
    if (token === "") throw new MidgramError("usage", `The token file "${file}" is empty`);
    return token;
  }
  const fromEnv = io.env.MIDGRAM_MCP_TOKEN?.trim();
  return fromEnv ? fromEnv : undefined;
}

function positiveInteger(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new MidgramError("usage", `Invalid ${what} "${text}": expected a positive integer`);
  }
  return Number(text);
}

/** Runs the MCP server until its client goes away or it is interrupted; returns the exit status. */
export async function runMcp(options: McpCommandOptions, io: Io): Promise<number> {
  const { config } = loadConfig({ path: options.config, env: io.env });
  const c = config.mcp ? parseMcpConfig(config.mcp) : {};
  const dialect = options.dialect ?? c.dialect ?? "auto";
  // Targets: -s, else [mcp] targets, else the exporter's, else send's socket.
  const texts = options.socket?.length
    ? options.socket
    : c.targets ?? (config.exporter?.table.targets as string[] | undefined) ??
      (config.client.socket ? [config.client.socket] : []);
  const targets = texts.map((t) => parseSocketSpec(t, dialect));
  if (targets.length === 0) {
    throw new MidgramError("usage", "No server to offer: give -s ADDR (or targets in [mcp])");
  }
  const auditFile = options.audit ?? c.audit;
  const audit = (entry: AuditEntry) => {
    const line = `${JSON.stringify(entry)}\n`;
    if (auditFile === undefined || auditFile === "-") io.stderr(line);
    else appendFileSync(auditFile, line, { mode: 0o600 });
  };
  const tools = createMcpTools({
    targets,
    transport: io.transport,
    allowWrite: [...(c.allowWrite ?? []), ...(options.allowWrite ?? [])],
    timeoutMs: options.timeout !== undefined
      ? parseDuration(options.timeout, "--timeout")
      : c.timeoutMs,
    maxReplyBytes: options.maxReplyBytes !== undefined
      ? positiveInteger(options.maxReplyBytes, "--max-reply-bytes")
      : c.maxReplyBytes,
    ratePerSecond: options.rate !== undefined ? positiveInteger(options.rate, "--rate") : c.rate,
    replyDir: options.fifoReplyDir ?? c.fifoReplyDir,
    audit,
  });
  // The SDK is loaded only by this command (the executable keeps it out of its snapshot).
  const { serveMcpHttp, serveMcpStdio } = await import("../../lib/mcp/server.ts");
  const info = { name: "midgram", version: VERSION };
  const httpText = options.http ?? c.http;
  if (httpText === undefined) {
    if (!io.stdio) throw new MidgramError("usage", "No standard streams to speak MCP over");
    await serveMcpStdio(tools, info, io.stdio, io.interrupted);
    return interruptedStatus(io.interrupted);
  }
  const listen = parseListen(httpText);
  const token = readToken(options.tokenFile ?? c.tokenFile, io);
  if (token === undefined) {
    throw new MidgramError(
      "usage",
      "MCP over HTTP needs a bearer token: --token-file FILE or MIDGRAM_MCP_TOKEN " +
        "(never on the command line, where every local user can read it)",
    );
  }
  const http = await serveMcpHttp(tools, info, { host: listen.host, port: listen.port, token });
  try {
    io.stdout(`listening on ${http.url}\n`);
    await whenAborted(io.interrupted);
    return interruptedStatus(io.interrupted);
  } finally {
    await http.close();
  }
}

/**
 * Builds the `mcp` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { mcpCommand } from "./mcp.ts";
 * import { captureIo } from "../io.ts";
 * const program = new Command("midgram").addCommand(mcpCommand(captureIo(), { code: 0 }));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["mcp"]);
 * ```
 */
export function mcpCommand(io: Io, status: { code: number }): Command {
  return new Command("mcp")
    .summary("offer OpenSIPS and Kamailio servers to AI assistants (Model Context Protocol)")
    .description(
      "Speaks the Model Context Protocol on stdio (what desktop assistants start), or on\n" +
        "streamable HTTP with --http and a bearer token. Tools: list_targets, list_methods,\n" +
        "call_method, get_statistics. Methods that only report run freely; every other\n" +
        "method is refused unless allowed with --allow-write (a name or a glob; kill and\n" +
        "core.kill only by name). Each call is logged as a JSON line (--audit, default\n" +
        "stderr), bounded by --timeout, --max-reply-bytes and --rate.",
    )
    .option(
      "-s, --socket <addr>",
      "[DIALECT[/FLAVOUR]=]ADDRESS of a server (repeatable) [default: [mcp] targets]",
      collect,
    )
    .addOption(
      new Option("--dialect <dialect>", "dialect of servers given without one [default: auto]")
        .choices(["mi", "jsonrpc", "binrpc", "auto"]),
    )
    .option(
      "--allow-write <method>",
      "allow a method that may change a server (repeatable)",
      collect,
    )
    .option("--http <host:port>", "serve streamable HTTP there instead of stdio")
    .option("--token-file <file>", "HTTP: the bearer token's file [default: $MIDGRAM_MCP_TOKEN]")
    .option("--audit <file>", "append the audit log (JSON lines) there [default: stderr]")
    .option("-t, --timeout <duration>", "time limit of one call to a server [default: 5s]")
    .option("--max-reply-bytes <n>", "largest reply handed to the assistant [default: 65536]")
    .option("--rate <n>", "calls per second per server [default: 10]")
    .option("--fifo-reply-dir <dir>", "FIFO servers: their reply directory [default: /tmp]")
    .option("--config <file>", "configuration file with an [mcp] table")
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}

Examples:
  $ midgram mcp -s binrpc=unixs:/run/kamailio/kamailio_ctl
  $ midgram mcp -s jsonrpc=/run/opensips/mi.sock --allow-write 'cache_*'
  $ MIDGRAM_MCP_TOKEN=$(cat /etc/midgram/mcp.token) midgram mcp --http 127.0.0.1:8765 \\
      -s /run/kamailio/kamailio_rpc.sock`,
    )
    .action(async (options: McpCommandOptions) => {
      status.code = await runMcp(options, io);
    });
}
