/**
 * The midgram command line: `cli(argv, io)` parses the arguments, runs one
 * subcommand and returns its exit status. This is the only place that parses
 * argv and prints usage; subcommands return exit codes or throw.
 *
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { methodsAt } from "../lib/client/methods.ts";
import { errorCodeOf, exitCodeOf } from "../lib/errors.ts";
import { VERSION } from "../lib/version.ts";
import { configInUse, verboseVersion } from "./_build_info.ts";
import { parseCommand } from "./commands/parse.ts";
import { sendCommand } from "./commands/send.ts";
import { serveCommand } from "./commands/serve.ts";
import { fuzzCommand } from "./commands/fuzz.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { kamcmdCommand } from "./commands/kamcmd.ts";
import { exporterCommand } from "./commands/exporter.ts";
import { mcpCommand } from "./commands/mcp.ts";
import { topCommand } from "./commands/top.ts";
import type { Io } from "./io.ts";
import { completionSocket, fixBashScript, replyDirOf, setupCompletions } from "./_completions.ts";

/** Applies the settings every command shares (commander does not inherit them through addCommand). */
function configure(command: Command, io: Io): void {
  command
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`midgram: ${text.replace(/^error: /, "")}`),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run with --help for usage)");
  for (const sub of command.commands) configure(sub, io);
}

/**
 * Builds the commander program; actions store their exit status in `status`.
 *
 * @param commandNames For completing `send`: the server's command names.
 */
export function program(
  io: Io,
  status: { code: number },
  commandNames: string[] = [],
  current = "",
  only?: string,
): Command {
  const root = new Command("midgram")
    .description(
      "The management interfaces of OpenSIPS and Kamailio: text MI, JSON-RPC, binrpc and ctlfifo",
    )
    .version(VERSION, "-V, --version", "print the version and exit")
    .option(
      "--verbose",
      "with --version: the commit, build date, runtime, dialects, transports and config file",
    )
    .addOption(
      new Option("--color <when>", "colour output").choices(["auto", "always", "never"])
        .default("auto"),
    );
  for (const [name, build] of SUBCOMMANDS) {
    if (only === undefined || only === name) root.addCommand(asParagraphs(build(io, status)));
  }
  if (only === undefined) {
    // `kamcmd` is dispatched before commander reads anything (its own getopt);
    // this entry only lists it in `midgram --help`.
    root.command("kamcmd")
      .summary("kamcmd's command line and output, byte for byte (a fault exits 1)")
      .description("Run `midgram kamcmd -h` for kamcmd's own help.")
      .argument("[args...]");
    setupCompletions(root, commandNames, current);
  }
  configure(root, io);
  return root;
}

/**
 * A description's single line breaks become spaces (a blank line still
 * parts paragraphs): the help wraps each paragraph to the terminal's width,
 * where a hard break inside one would leave a line of a word or two.
 */
function asParagraphs(command: Command): Command {
  return command.description(command.description().replace(/(?<!\n)\n(?!\n)/g, " "));
}

/** The subcommands, in `--help`'s order. */
const SUBCOMMANDS: [string, (io: Io, status: { code: number }) => Command][] = [
  ["parse", parseCommand],
  ["send", sendCommand],
  ["serve", serveCommand],
  ["fuzz", fuzzCommand],
  ["doctor", doctorCommand],
  ["exporter", exporterCommand],
  ["mcp", mcpCommand],
  ["top", topCommand],
];

/**
 * Runs the CLI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cli } from "./main.ts";
 * import { captureIo } from "./io.ts";
 * const io = captureIo();
 * const code = await cli(["--version"], io);
 * assert.equal(code, 0);
 * assert.match(io.out(), /^\d+\.\d+\.\d+/);
 * ```
 *
 * @param argv The arguments after the program name.
 * @param io Where to read and write.
 * @returns The exit status.
 */
export async function cli(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "kamcmd") return await kamcmdCommand(argv.slice(1), io);
  if (
    argv.length > 0 && argv.every((a) => a.startsWith("-")) &&
    argv.some((a) => a === "-V" || a === "--version") && argv.includes("--verbose")
  ) {
    io.stdout(verboseVersion(configInUse(io.env)));
    return 0;
  }
  const status = { code: 0 };
  // Completing `send COMMAND`: ask the server for its command names first.
  const completing = argv[0] === "complete" && argv.includes("send");
  const names = completing
    // As the interactive prompt asks: the dialect found, then `which` or `system.listMethods`.
    ? await methodsAt(await completionSocket(argv, io.env, io.transport), {
      transport: io.transport,
      timeoutMs: 300,
      replyDir: replyDirOf(argv),
    })
    : [];
  // A command line that names a subcommand builds only that one (and no
  // completion tables): a few milliseconds of every one-shot `send`.
  const only = SUBCOMMANDS.some(([name]) => name === argv[0]) ? argv[0] : undefined;
  const root = program(io, status, names, argv[0] === "complete" ? argv.at(-1) ?? "" : "", only);
  // The completion library writes with console.log: route it through io (and
  // mend the bash script) for the two completion commands only.
  const capture = argv[0] === "complete" || argv[0] === "completions";
  const log = console.log;
  const captured: string[] = [];
  if (capture) console.log = (...parts: unknown[]) => captured.push(parts.join(" ") + "\n");
  try {
    await root.parseAsync(argv, { from: "user" });
    if (capture) {
      const text = captured.join("");
      io.stdout(argv[0] === "completions" && argv[1] === "bash" ? fixBashScript(text) : text);
    }
    return status.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error exits 2.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (errorCodeOf(error) !== null) {
      io.stderr(`midgram: ${(error as Error).message}\n`);
      return exitCodeOf(error);
    }
    io.stderr(`midgram: internal error: ${error instanceof Error ? error.stack : error}\n`);
    return 1;
  } finally {
    if (capture) console.log = log;
  }
}
