/**
 * The midgram command line: `cli(argv, io)` parses the arguments, runs one
 * subcommand and returns its exit status. This is the only place that parses
 * argv and prints usage; subcommands return exit codes or throw.
 *
 * @module
 */
import { Command, CommanderError } from "commander";
import { MidgramError } from "../lib/errors.ts";
import { VERSION } from "../lib/version.ts";
import type { Io } from "./io.ts";

/** Builds the commander program; actions store their exit status in `status`. */
function program(io: Io, status: { code: number }): Command {
  const root = new Command("midgram")
    .description("Toolkit for the MI datagram protocol of OpenSIPS and Kamailio")
    .version(VERSION, "-V, --version", "print the version and exit")
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .exitOverride()
    .showSuggestionAfterError(true);
  void status;
  return root;
}

/**
 * Runs the CLI.
 *
 * @param argv The arguments after the program name.
 * @param io Where to read and write.
 * @returns The exit status.
 */
export async function cli(argv: string[], io: Io): Promise<number> {
  const status = { code: 0 };
  const root = program(io, status);
  try {
    await root.parseAsync(argv, { from: "user" });
    return status.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error exits 2.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof MidgramError) {
      io.stderr(`midgram: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`midgram: internal error: ${error instanceof Error ? error.stack : error}\n`);
    return 1;
  }
}
