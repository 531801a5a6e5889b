/**
 * `midgram parse`: validates request files the way OpenSIPS and Kamailio
 * would judge them, with CI-friendly `path:line:col` diagnostics.
 *
 * @module
 */
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { analyzeRequest } from "../../lib/protocol/mi/analyze_request.ts";
import {
  analyzeJsonRpcRequest,
  type JsonRpcCallInfo,
} from "../../lib/protocol/jsonrpc/analyze_json_rpc_request.ts";
import type { Diagnostic } from "../../lib/protocol/mi/diagnostics.ts";
import {
  analyzeCtlFifoRequest,
  type CtlFifoCallInfo,
} from "../../lib/protocol/ctlfifo/analyze_request.ts";
import type { MiRequest, ParseMode } from "../../lib/protocol/mi/types.ts";
import { exitStatusHelp, MidgramError } from "../../lib/errors.ts";
import { type ColorWhen, palette } from "../_color.ts";
import type { Styled } from "../_output.ts";
import { expandPaths, type InputFile, readInput } from "../_files.ts";
import type { Io } from "../io.ts";

/** Options of `midgram parse`, as commander hands them over. */
export interface ParseOptions {
  strict?: boolean;
  /** File endings looked for in directories (default `.mi`, `.json` and `.ctlfifo`). */
  ext?: string[];
  /**
   * The dialect of every file; default: by ending (`.json` is JSON-RPC,
   * `.ctlfifo` ctl's FIFO protocol, anything else MI).
   */
  dialect?: "mi" | "jsonrpc" | "ctlfifo";
  /** JSON-RPC: whose judgement (default `opensips`). */
  flavour?: "opensips" | "kamailio";
  format: "text" | "json" | "github";
  print?: boolean;
  maxWarnings?: number;
  warningsAsErrors?: boolean;
  color: ColorWhen;
}

/** One file's result, in the stable shape of `--format json`. */
export interface FileReport {
  path: string;
  valid: boolean;
  /** The dialect the file was checked in. */
  dialect: "mi" | "jsonrpc" | "ctlfifo";
  request?: MiRequest;
  /** JSON-RPC: the call the server would run. */
  call?: JsonRpcCallInfo;
  /** ctlfifo: the call ctl would run. */
  ctlfifo?: CtlFifoCallInfo;
  errors: DiagnosticJson[];
  warnings: DiagnosticJson[];
}

/** A diagnostic in the stable shape of `--format json`. */
export interface DiagnosticJson {
  code: string;
  message: string;
  line: number;
  column: number;
  offset: number;
}

type AnyDiagnostic = Pick<Diagnostic, "message" | "line" | "column" | "offset"> & {
  code: string;
};

const toJson = (d: AnyDiagnostic): DiagnosticJson => ({
  code: d.code,
  message: d.message,
  line: d.line,
  column: d.column,
  offset: d.offset,
});

/** Escapes a value for a GitHub workflow command (`::error file=…::message`). */
function githubEscape(text: string, property: boolean): string {
  let out = text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
  if (property) out = out.replaceAll(":", "%3A").replaceAll(",", "%2C");
  return out;
}

/** Checks every file and reports; returns the exit status. */
export async function runParse(paths: string[], options: ParseOptions, io: Io): Promise<number> {
  const mode: ParseMode = options.strict ? "strict" : "compat";
  const extensions = (options.ext ?? [".mi", ".json", ".ctlfifo"]).map((
    e,
  ) => (e.startsWith(".") || e === "" ? e : `.${e}`));
  if (paths.length === 0 && io.stdinIsTTY) {
    throw new MidgramError(
      "usage",
      "Missing path: name request files or directories, or - for stdin",
    );
  }
  const inputs: InputFile[] = expandPaths(paths.length === 0 ? ["-"] : paths, extensions)
    .filter((f) => !isMiExpectation(f, paths));
  const color = palette(options.color, io, "stdout");
  const reports: FileReport[] = [];
  let out: (string | Styled)[] = [];
  const flush = () => {
    if (out.length > 0) io.stdout(out);
    out = [];
  };
  let errorCount = 0;
  let warningCount = 0;
  let invalid = 0;
  for (const input of inputs) {
    const bytes = input.stdin ? await io.readStdin() : readInput(input.path);
    const name = input.stdin ? "<stdin>" : input.path;
    const dialect = options.dialect ?? dialectByEnding(input.stdin ? "" : name);
    const analysis = dialect === "jsonrpc"
      ? analyzeJsonRpcRequest(bytes, { flavour: options.flavour ?? "opensips" })
      : dialect === "ctlfifo"
      ? analyzeCtlFifoRequest(bytes)
      : analyzeRequest(bytes, { mode });
    const report: FileReport = {
      path: name,
      valid: analysis.errors.length === 0,
      dialect,
      errors: (analysis.errors as AnyDiagnostic[]).map(toJson),
      warnings: (analysis.warnings as AnyDiagnostic[]).map(toJson),
    };
    if ("request" in analysis && analysis.request) report.request = analysis.request;
    if (dialect === "ctlfifo" && "call" in analysis && analysis.call) {
      const call = analysis.call as CtlFifoCallInfo;
      // A line ctl cannot unescape is shown as written.
      const params = call.params.map((p) =>
        typeof p === "string" ? p : new TextDecoder().decode(p)
      );
      report.ctlfifo = { ...call, params };
    } else if ("call" in analysis && analysis.call) report.call = analysis.call as JsonRpcCallInfo;
    if (!report.valid) invalid++;
    errorCount += report.errors.length;
    warningCount += report.warnings.length;
    if (options.format === "json") {
      reports.push(report);
      continue;
    }
    const lines = [
      ...report.errors.map((d) => [d, "error"] as const),
      ...report.warnings.map((d) => [d, "warning"] as const),
    ].sort((a, b) => a[0].offset - b[0].offset);
    for (const [d, severity] of lines) {
      if (options.format === "github") {
        const kind = severity === "error" || options.warningsAsErrors ? "error" : "warning";
        out.push(
          `::${kind} file=${githubEscape(name, true)},line=${d.line},col=${d.column},title=${
            githubEscape(d.code, true)
          }::${githubEscape(d.message, false)}\n`,
        );
      } else {
        const label = severity === "error" ? color.red("error") : color.yellow("warning");
        out.push(`${name}:${d.line}:${d.column}: `, label, ` ${d.code}: ${d.message}\n`);
      }
    }
    if (options.print && report.request) out.push(printRequest(name, report.request));
    if (options.print && report.call) out.push(printCall(name, report.call));
    if (options.print && report.ctlfifo) out.push(printCtlFifoCall(name, report.ctlfifo));
    if (out.length >= 768) flush();
  }
  flush();
  if (options.format === "json") io.stdout(JSON.stringify(reports, null, 2) + "\n");

  if (inputs.length === 0) {
    // Nothing was checked (an empty directory, or none with these endings): never pass silently.
    io.stderr([
      palette(options.color, io, "stderr").red("failed"),
      `: no files checked: no ${
        extensions.map((e) => `*${e}`).join(", ").replace(/, ([^,]*)$/, " or $1")
      } files in ${paths.map((p) => `"${p}"`).join(", ")}\n`,
    ]);
    return 1;
  }
  const tooManyWarnings = (options.warningsAsErrors && warningCount > 0) ||
    (options.maxWarnings !== undefined && warningCount > options.maxWarnings);
  const summary = palette(options.color, io, "stderr");
  const files = `${inputs.length} file${inputs.length === 1 ? "" : "s"}`;
  const verdict = invalid === 0 && !tooManyWarnings ? summary.green("ok") : summary.red("failed");
  const policy = tooManyWarnings
    ? options.warningsAsErrors
      ? " (warnings are errors)"
      : ` (more than --max-warnings ${options.maxWarnings})`
    : "";
  io.stderr([
    verdict,
    `: ${files} checked, ${invalid} invalid, ${errorCount} error${
      errorCount === 1 ? "" : "s"
    }, ${warningCount} warning${warningCount === 1 ? "" : "s"}${policy}\n`,
  ]);
  return invalid > 0 || tooManyWarnings ? 1 : 0;
}

function printRequest(name: string, request: MiRequest): string {
  const lines = [`${name}: ${JSON.stringify(request.command)}\n`];
  request.args.forEach((arg, i) => {
    const parts = [];
    if (arg.name !== null) parts.push(`name ${JSON.stringify(arg.name)}`);
    parts.push(arg.value === null ? "no value" : `value ${JSON.stringify(arg.value)}`);
    lines.push(`  ${i + 1}. ${parts.join(" ")}\n`);
  });
  return lines.join("");
}

/** The dialect of a file by its ending: `.json` JSON-RPC, `.ctlfifo` ctl's FIFO protocol, else MI. */
function dialectByEnding(name: string): "mi" | "jsonrpc" | "ctlfifo" {
  if (name.endsWith(".json")) return "jsonrpc";
  if (name.endsWith(".ctlfifo")) return "ctlfifo";
  return "mi";
}

function printCtlFifoCall(name: string, call: CtlFifoCallInfo): string {
  const reply = call.replyName === null
    ? "no reply FIFO"
    : `reply ${JSON.stringify(call.replyName)}`;
  return `${name}: ${JSON.stringify(call.method)} ${reply}\n  params ${
    JSON.stringify(call.params)
  }\n`;
}

function printCall(name: string, call: JsonRpcCallInfo): string {
  const id = call.notification ? "notification" : `id ${JSON.stringify(call.id ?? null)}`;
  const params = call.params.kind === "named" ? call.params.values.entries : call.params.values;
  return `${name}: ${JSON.stringify(call.method)} ${id}\n  params ${JSON.stringify(params)}\n`;
}

/**
 * A `.json` found by walking a directory beside a `.mi` or `.ctlfifo` of the
 * same name is that golden case's expectation (testdata/parse,
 * testdata/ctlfifo), not a JSON-RPC request.
 */
function isMiExpectation(file: InputFile, named: readonly string[]): boolean {
  if (file.stdin || !file.path.endsWith(".json") || named.includes(file.path)) return false;
  const base = file.path.slice(0, -5);
  return existsSync(`${base}.mi`) || existsSync(`${base}.ctlfifo`);
}

/** `--ext` takes one value per flag (so it never swallows a path); the flags add up. */
function collectExtension(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new MidgramError(
      "usage",
      `Cannot parse --max-warnings "${text}": expected a whole number`,
    );
  }
  return Number(text);
}

/**
 * Builds the `parse` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { parseCommand } from "./parse.ts";
 * import { captureIo } from "../io.ts";
 * const status = { code: 0 };
 * const program = new Command("midgram").addCommand(parseCommand(captureIo(), status));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["parse"]);
 * ```
 */
export function parseCommand(io: Io, status: { code: number }): Command {
  return new Command("parse")
    .summary("validate request files the way the real servers would")
    .description(
      "Checks that each file holds one request that OpenSIPS 2.4 / Kamailio accept (or, with\n" +
        "--strict, one that follows the documented grammar), and reports every problem as\n" +
        "path:line:col: error|warning CODE: message, then a summary on stderr. A *.json file\n" +
        "(or any file with --dialect jsonrpc) is a JSON-RPC request: what the --flavour server\n" +
        "refuses (OpenSIPS -32600, -32700, raw 400; Kamailio no reply, {} or a crash) is an\n" +
        "error; notifications, batches and what it silently changes are warnings. A *.ctlfifo\n" +
        "file (or --dialect ctlfifo) is a request of the old FIFO protocol of Kamailio's ctl.",
    )
    .argument("[path...]", "request files, directories (walked for --ext files), or - for stdin")
    .option(
      "--strict",
      "MI: follow the documented grammar; report what only the real parser tolerates",
    )
    .addOption(
      new Option("--dialect <dialect>", "the dialect of every file [default: by ending]")
        .choices(["mi", "jsonrpc", "ctlfifo"]),
    )
    .addOption(
      new Option("--flavour <flavour>", "JSON-RPC: judge as this server").choices([
        "opensips",
        "kamailio",
      ]).default("opensips"),
    )
    .option(
      "--ext <ext>",
      "a file ending looked for in directories; repeat the flag for more [default: .mi .json .ctlfifo]",
      collectExtension,
    )
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json", "github"])
        .default("text"),
    )
    .option("--print", "print each parsed request")
    .addOption(
      new Option("--max-warnings <n>", "fail when there are more warnings than this")
        .argParser(parseCount).conflicts("warningsAsErrors"),
    )
    .addOption(
      new Option("--warnings-as-errors", "fail on any warning").conflicts("maxWarnings"),
    )
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}
Here 1 means a file is invalid, the warning policy failed, or no file was found.

Examples:
  $ midgram parse requests/                      # every *.mi and *.json file below requests/
  $ midgram parse --flavour kamailio call.json     # a JSON-RPC request as Kamailio judges it
  $ printf ':version:\\n' | midgram parse -        # one request from stdin
  $ midgram parse --strict --format github --max-warnings 0 testdata/`,
    )
    .action(async (paths: string[], options: ParseOptions, command: Command) => {
      const color = (command.optsWithGlobals().color ?? "auto") as ColorWhen;
      status.code = await runParse(paths, { ...options, color }, io);
    });
}
