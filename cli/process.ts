/**
 * The bridge to the real process (argv, streams, signals, exit), used by the
 * entry points `cli/bin.ts` and `cli/sea_main.ts`. Everything else goes
 * through `Io`.
 *
 * @module
 */
import process from "node:process";
import { cli } from "./main.ts";
import { concatBytes } from "../lib/bytes.ts";
import type { Io } from "./io.ts";
import { defaultTransport } from "../lib/transport/open.ts";

async function readAll(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return concatBytes(chunks);
}

/** Runs the CLI on the real process and exits with its status. */
export async function main(): Promise<never> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  // A reader that goes away (`| head`) is not an error: stop quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const io: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: readAll,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    interrupted: controller.signal,
    transport: defaultTransport(),
    terminal: process.stdin.isTTY && process.stdout.isTTY
      ? { input: process.stdin, output: process.stdout }
      : undefined,
  };
  const code = await cli(process.argv.slice(2), io);
  // Let stdout drain before exiting, so piped output is never cut.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
