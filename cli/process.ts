/**
 * The bridge to the real process (argv, streams, signals, exit), used by the
 * entry points `cli/bin.ts` and `cli/sea_main.ts`. Everything else goes
 * through `Io`.
 *
 * @module
 */
import inspector from "node:inspector";
import { basename } from "node:path";
import { constants } from "node:os";
import process from "node:process";
import { isatty } from "node:tty";
import { cli } from "./main.ts";
import { concatBytes } from "../lib/bytes.ts";
import type { Io } from "./io.ts";
import { renderOutput } from "./_output.ts";
import { defaultTransport } from "../lib/transport/open.ts";
import { trimMemoryAfterBursts } from "./_trim_memory.ts";
import { denoNamespace, openDenoLibc } from "./_deno_libc.ts";

async function readAll(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return concatBytes(chunks);
}

/** SIGUSR1 does nothing: a listener replaces Node's handler, which would start the inspector. */
function ignoreDebugSignal(): void {
  if (!process.listeners("SIGUSR1").includes(closeInspector)) process.on("SIGUSR1", closeInspector);
}

/** Inspector flags: Node's (`--inspect`, `--inspect-brk=…`, `--inspect-port`, …) and `--debug-port`. */
const INSPECTOR_FLAG = /^--(inspect|debug-port)/;

/** Closes an inspector that was not asked for on the command line (a signal opened it). */
function closeInspector(): void {
  // Deno would prompt for the permission to ask: only ask with it.
  const deno = denoNamespace();
  if (deno && deno.permissions.querySync({ name: "sys" }).state !== "granted") return;
  try {
    if (!inspector.url()) return;
    if (!inSingleExecutable && process.execArgv.some((a) => INSPECTOR_FLAG.test(a))) return;
    inspector.close();
  } catch {
    // Deno without --allow-sys cannot even ask: nothing to close that we can see.
  }
}

/**
 * Deno 2.9.2 and later start an inspector on SIGUSR1 whatever listeners the
 * program has, from half a second after start. With FFI allowed, the signal
 * is ignored by the kernel instead (SIG_IGN), before that can happen.
 * Returns whether it is.
 */
function ignoreDebugSignalOnDeno(): boolean {
  if (!denoNamespace()) return true;
  const libc = openDenoLibc<{ signal(sig: number, handler: bigint): unknown }>({
    signal: { parameters: ["i32", "usize"], result: "usize" },
  });
  if (libc === null) return false;
  // SIG_IGN is 1 on Linux and macOS.
  libc.symbols.signal(constants.signals.SIGUSR1, 1n);
  libc.close();
  return true;
}

let inSingleExecutable = false;

/**
 * Makes sure the process never opens a debugger on a signal: SIGUSR1 is
 * ignored (on Node a listener replaces the native handler; on Deno the signal
 * is set to SIG_IGN when FFI is allowed), an inspector that a signal opened
 * before this ran is closed, and inspector flags are taken out of
 * `NODE_OPTIONS` so that programs midgram starts do not inherit them. Run
 * first by every entry point.
 *
 * @param singleExecutable Close any open inspector: the single executable is never debugged.
 */
export function hardenProcess(singleExecutable = false): void {
  inSingleExecutable ||= singleExecutable;
  ignoreDebugSignal();
  if (!ignoreDebugSignalOnDeno()) {
    process.stderr.write(
      "midgram: warning: this Deno opens a debugger on SIGUSR1 unless FFI is allowed: run deno with --allow-ffi\n",
    );
  }
  closeInspector();
  // One more look once the loop runs: a signal that came just before the listener may still be starting it.
  setImmediate(closeInspector);
  const options = process.env.NODE_OPTIONS;
  if (options !== undefined && /--(inspect|debug-port)/.test(options)) {
    process.env.NODE_OPTIONS = options.split(/\s+/).filter((o) => !INSPECTOR_FLAG.test(o)).join(
      " ",
    );
  }
}

/**
 * The catchable signals that ask midgram to stop. Each aborts `io.interrupted`
 * with the signal's number as the reason, so a command cleans up (reply
 * directories, socket files) and can exit 128+N.
 */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/** One of {@linkcode STOP_SIGNALS}. */
export type StopSignal = typeof STOP_SIGNALS[number];

/** Runs the CLI on the real process and exits with its status. */
export async function main(): Promise<never> {
  hardenProcess();
  const controller = new AbortController();
  const forced = new AbortController();
  // The first stop signal asks the command to stop (it cleans up and exits 128+N); a second
  // one exits at once, once the command's listeners of `forced` have run (they cancel what
  // runs: serve stops the programs its commands started).
  const stop = (name: StopSignal) => {
    const number = constants.signals[name];
    if (controller.signal.aborted) {
      forced.abort(number);
      process.exit(128 + number);
    }
    controller.abort(number);
  };
  // A reader that goes away (`| head`) is not an error: stop quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  for (const name of STOP_SIGNALS) process.on(name, () => stop(name));
  // isatty() instead of process.stdin.isTTY: stdin's stream is made only
  // when a command reads it (a few ms of every one-shot start).
  const stdoutIsTTY = isatty(1);
  const stderrIsTTY = isatty(2);
  const io: Io = {
    // The one place where output meets the real streams: made visible on a terminal.
    stdout: (text) => process.stdout.write(renderOutput(text, stdoutIsTTY)),
    stderr: (text) => process.stderr.write(renderOutput(text, stderrIsTTY)),
    readStdin: readAll,
    stdoutIsTTY,
    stderrIsTTY,
    stdinIsTTY: isatty(0),
    env: process.env,
    interrupted: controller.signal,
    forced: forced.signal,
    transport: defaultTransport(),
    trimMemoryAfterBursts,
    get terminal() {
      return isatty(0) && isatty(1) ? { input: process.stdin, output: process.stdout } : undefined;
    },
    get stdio() {
      return { input: process.stdin, output: process.stdout };
    },
  };
  // Run as `kamcmd` (a symbolic link to the binary or the npm bin): kamcmd's own command line.
  const asKamcmd = [process.argv0, process.argv[1]].some((a) => a && basename(a) === "kamcmd");
  const code = await cli(
    asKamcmd ? ["kamcmd", ...process.argv.slice(2)] : process.argv.slice(2),
    io,
  );
  // Let stdout drain before exiting, so piped output is never cut.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
