/**
 * The process seam of the CLI: commands read and write only through an
 * {@linkcode Io}, so tests run them in-process with captured streams, and
 * `cli/bin.ts` is the only file that touches the real process.
 *
 * @module
 */

import { concatBytes } from "../lib/bytes.ts";
import { EXIT, interruptedStatus } from "../lib/errors.ts";
import { type Output, renderOutput } from "./_output.ts";
import { defaultTransport } from "../lib/transport/open.ts";
import type { Transport } from "../lib/transport/types.ts";

/**
 * Where a command writes and reads. What a command writes reaches a stream
 * through {@linkcode renderOutput}: on a terminal with every control
 * character made visible (a server's bytes never reach the terminal as
 * escape sequences), elsewhere byte for byte. Each stream is judged on its
 * own (`stdoutIsTTY`, `stderrIsTTY`).
 */
export interface Io {
  /** Requested data only (so `midgram send … | jq` always works). */
  stdout(text: Output): void;
  /** Messages, warnings, progress. */
  stderr(text: Output): void;
  /** Reads all of standard input. */
  readStdin(): Promise<Uint8Array>;
  /** Whether stdout and stderr are terminals (for colour, progress bars and escaping). */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** The environment (`MIDGRAM_SOCKET`, `NO_COLOR`, …). */
  env: Record<string, string | undefined>;
  /**
   * Aborted when the user asks to stop (SIGINT, SIGTERM, SIGHUP, SIGQUIT),
   * with the signal's number as the reason; commands that run until stopped
   * (serve, watch, fuzz) wait on it and exit 128+N.
   */
  interrupted: AbortSignal;
  /**
   * Aborted by a second stop signal, with its number, just before the
   * process exits at once: what runs should be cancelled now (serve ends
   * its grace period). Absent in tests.
   */
  forced?: AbortSignal;
  /** The runtime's sockets, handed to every server and client the command makes. */
  transport: Transport;
  /**
   * Long-running commands (serve) call this once: after each burst of work
   * the runtime gives back the memory the burst made it keep. Returns the
   * function that stops it. Absent in tests and where the runtime has no way.
   */
  trimMemoryAfterBursts?: () => () => void;
  /**
   * The terminal's streams, for interactive mode (absent when not on a
   * terminal): for the line editor only, which writes them as they are;
   * replies and messages go by `stdout` and `stderr`.
   */
  terminal?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
  /** Standard input and output as streams, for a protocol spoken over them (`mcp`). */
  stdio?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
}

/**
 * An Io that captures output, for tests; it writes through the same
 * {@linkcode renderOutput} as the process does.
 *
 * @param options.tty Whether stdin, stdout and stderr are terminals.
 * @param options.stdoutIsTTY Overrides `tty` for stdout.
 * @param options.stderrIsTTY Overrides `tty` for stderr.
 */
export function captureIo(
  options: {
    stdin?: string | Uint8Array;
    env?: Record<string, string>;
    tty?: boolean;
    stdoutIsTTY?: boolean;
    stderrIsTTY?: boolean;
    transport?: Transport;
  } = {},
): Io & {
  out: () => string;
  outBytes: () => Uint8Array;
  err: () => string;
  /** Aborts `interrupted`, with a signal's number as the process does (`abort(15)`). */
  abort: (reason?: unknown) => void;
} {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const controller = new AbortController();
  const encoder = new TextEncoder();
  const stdin = typeof options.stdin === "string"
    ? encoder.encode(options.stdin)
    : options.stdin ?? new Uint8Array();
  const stdoutIsTTY = options.stdoutIsTTY ?? options.tty ?? false;
  const stderrIsTTY = options.stderrIsTTY ?? options.tty ?? false;
  const capture = (into: Uint8Array[], terminal: boolean) => (text: Output) => {
    const bytes = renderOutput(text, terminal);
    into.push(typeof bytes === "string" ? encoder.encode(bytes) : bytes);
  };
  const outBytes = () => concatBytes(out);
  return {
    stdout: capture(out, stdoutIsTTY),
    stderr: capture(err, stderrIsTTY),
    readStdin: () => Promise.resolve(stdin),
    stdoutIsTTY,
    stderrIsTTY,
    stdinIsTTY: options.tty ?? false,
    env: options.env ?? {},
    interrupted: controller.signal,
    transport: options.transport ?? defaultTransport(),
    out: () => new TextDecoder().decode(outBytes()),
    outBytes,
    err: () => new TextDecoder().decode(concatBytes(err)),
    abort: (reason?: unknown) => controller.abort(reason),
  };
}

/**
 * 128+N once stop signal N came (`io.interrupted` aborted with its number;
 * 130 when the stop named none), else `null`: every subcommand's status
 * after a signal.
 */
export function stoppedStatus(io: Io): number | null {
  if (!io.interrupted.aborted) return null;
  return interruptedStatus(io.interrupted) || EXIT.signal + 2;
}

/** Resolves once `signal` aborts (at once when it has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

/** Waits `ms`, or less when one of `signals` aborts; true when one did. */
export function pause(ms: number, ...signals: AbortSignal[]): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve(true);
    const done = (aborted: boolean) => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener("abort", onAbort);
      resolve(aborted);
    };
    const onAbort = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
  });
}
