/**
 * The process seam of the CLI: commands read and write only through an
 * {@linkcode Io}, so tests run them in-process with captured streams, and
 * `cli/bin.ts` is the only file that touches the real process.
 *
 * @module
 */

import { concatBytes } from "../lib/bytes.ts";
import { defaultTransport } from "../lib/transport/open.ts";
import type { Transport } from "../lib/transport/types.ts";

/** Where a command writes and reads. */
export interface Io {
  /** Requested data only (so `midgram send … | jq` always works). */
  stdout(text: string | Uint8Array): void;
  /** Messages, warnings, progress. */
  stderr(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<Uint8Array>;
  /** Whether stdout and stderr are terminals (for colour and progress bars). */
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
  /** The runtime's sockets, handed to every server and client the command makes. */
  transport: Transport;
  /**
   * Long-running commands (serve) call this once: after each burst of work
   * the runtime gives back the memory the burst made it keep. Returns the
   * function that stops it. Absent in tests and where the runtime has no way.
   */
  trimMemoryAfterBursts?: () => () => void;
  /** The terminal's streams, for interactive mode (absent when not on a terminal). */
  terminal?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
}

/** An Io that captures output, for tests. */
export function captureIo(
  options: {
    stdin?: string | Uint8Array;
    env?: Record<string, string>;
    tty?: boolean;
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
  let err = "";
  const controller = new AbortController();
  const encoder = new TextEncoder();
  const stdin = typeof options.stdin === "string"
    ? encoder.encode(options.stdin)
    : options.stdin ?? new Uint8Array();
  const outBytes = () => concatBytes(out);
  return {
    stdout: (text) => out.push(typeof text === "string" ? encoder.encode(text) : text),
    stderr: (text) => {
      err += text;
    },
    readStdin: () => Promise.resolve(stdin),
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    stdinIsTTY: options.tty ?? false,
    env: options.env ?? {},
    interrupted: controller.signal,
    transport: options.transport ?? defaultTransport(),
    out: () => new TextDecoder().decode(outBytes()),
    outBytes,
    err: () => err,
    abort: (reason?: unknown) => controller.abort(reason),
  };
}
