/**
 * What `send`, its batch mode and its prompt share: options, outcomes, the
 * dialect of a socket, the request for words.
 *
 * @module
 */
import type { CallReply } from "../../lib/client/call.ts";
import { detectDialect } from "../../lib/client/detect.ts";
import { EXIT, exitCodeOf, MidgramError } from "../../lib/errors.ts";
import type { DialectName } from "../../lib/protocol/dialect.ts";
import { argumentFromText, formatRequest } from "../../lib/protocol/mi/format_request.ts";
import { NO_PARAMS } from "../../lib/protocol/value.ts";
import type { DialectChoice, Flavour, SocketSpec } from "../../lib/socket_spec.ts";
import { paramsFromWords } from "../_params.ts";
import type { Io } from "../io.ts";

/** Options of `midgram send`, as commander hands them over. */
export interface SendOptions {
  socket?: string[];
  dialect?: DialectChoice;
  flavour?: Flavour;
  file?: string;
  params?: string;
  timeout?: string;
  retries?: string;
  json?: boolean;
  raw?: boolean;
  value?: string;
  format?: string;
  quiet?: boolean;
  indent?: string;
  watch?: string;
  config?: string;
  replyDir?: string;
  batch?: string;
  batchRaw?: boolean;
}

/** One server's answer, ready to print. */
export interface Outcome {
  spec: SocketSpec;
  dialect: DialectName | null;
  exit: number;
  reply?: CallReply;
  message?: string;
}

export function unescapeIndent(text: string): string {
  return text.replace(/\\t/g, "\t").replace(/\\s/g, " ");
}

/** The status for an error raised while asking: the table's, or 128+N when interrupted. */
export function statusOf(error: unknown, io: Io): number {
  if (io.interrupted.aborted && (error as { code?: string })?.code === "closed") {
    const reason = io.interrupted.reason;
    return typeof reason === "number" ? EXIT.signal + reason : EXIT.signal + 2;
  }
  return exitCodeOf(error);
}

/** What the request is: words, or bytes from a file or stdin. */
export type RequestSource =
  | { kind: "words"; method: string; words: string[] }
  | { kind: "bytes"; bytes: Uint8Array; name: string };

/** Resolves the dialect of one socket (asking it when `auto`). */
export async function dialectOf(
  spec: SocketSpec,
  io: Io,
  timeoutMs: number,
  quiet: boolean,
): Promise<{ dialect: DialectName; flavour?: Flavour }> {
  if (spec.dialect !== "auto") return { dialect: spec.dialect, flavour: spec.flavour };
  const found = await detectDialect(spec.address, {
    transport: io.transport,
    timeoutMs,
    signal: io.interrupted,
  });
  // Said on a terminal; a script's stderr stays clean (doctor says it always).
  if (!quiet && io.stderrIsTTY) {
    io.stderr(
      `midgram: "${spec.text}" speaks ${found.dialect}${
        found.flavour ? ` (${found.flavour})` : ""
      }: ${found.how}; --dialect ${found.dialect} skips this probe\n`,
    );
  }
  return { dialect: found.dialect, flavour: found.flavour ?? spec.flavour };
}

/** The bytes to send for words in a dialect. */
export function requestFor(
  dialect: DialectName,
  source: RequestSource,
  options: SendOptions,
): { method: string; params: ReturnType<typeof paramsFromWords> } | Uint8Array {
  if (source.kind === "bytes") return source.bytes;
  if (dialect === "mi") {
    if (options.params !== undefined) {
      throw new MidgramError("usage", "--params is for the jsonrpc and binrpc dialects");
    }
    try {
      return new TextEncoder().encode(
        formatRequest(source.method, source.words.map(argumentFromText)),
      );
    } catch (error) {
      if (error instanceof MidgramError && error.code === "unrepresentable") {
        throw new MidgramError("usage", error.message);
      }
      throw error;
    }
  }
  return {
    method: source.method,
    params: source.words.length === 0 && options.params === undefined
      ? NO_PARAMS
      : paramsFromWords(dialect, source.method, source.words, options.params),
  };
}

/** The outcome of a reply: its exit status and, for an error, the message. */
export function classify(spec: SocketSpec, dialect: DialectName, reply: CallReply): Outcome {
  if (reply.error) {
    return { spec, dialect, reply, exit: reply.error.exitCode, message: reply.error.message };
  }
  const outcome = reply.outcome!;
  if (outcome.kind === "error") {
    return {
      spec,
      dialect,
      reply,
      exit: EXIT.problem,
      message: `"${spec.text}" answered ${
        dialect === "jsonrpc" ? `error ${outcome.code}: ` : `${outcome.code} `
      }${outcome.message}`,
    };
  }
  return { spec, dialect, reply, exit: EXIT.ok };
}
