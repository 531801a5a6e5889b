/**
 * What `send`, its batch mode and its prompt share: options, outcomes, the
 * dialect of a socket, the request for words.
 *
 * @module
 */
import type { CallOptions, CallReply } from "../../lib/client/call.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import { detectDialect, mustDetect, withDetected } from "../../lib/client/detect.ts";
import { errorCodeOf, EXIT, exitCodeOf, MidgramError } from "../../lib/errors.ts";
import type { DialectName } from "../../lib/protocol/dialect.ts";
import { argumentFromText, formatRequest } from "../../lib/protocol/mi/format_request.ts";
import { NO_PARAMS } from "../../lib/protocol/value.ts";
import type { DialectChoice, Flavour, SocketSpec } from "../../lib/socket_spec.ts";
import type { AnyAddress } from "../../lib/transport/types.ts";
import { paramsFromWords } from "../_params.ts";
import { KAMCMD_ALIASES, type KamcmdAlias } from "../../lib/protocol/binrpc/kamcmd_aliases.ts";
import { type Io, stoppedStatus } from "../io.ts";

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
  /** binrpc: the format of the kamcmd alias called, for the default output. */
  format?: string;
  spec: SocketSpec;
  dialect: DialectName | null;
  exit: number;
  reply?: CallReply;
  message?: string;
}

/** The reply indent as given on the command line or in the config: `\t` is a tab, `\s` a space. */
export function unescapeIndent(text: string): string {
  return text.replace(/\\t/g, "\t").replace(/\\s/g, " ");
}

/**
 * The status for an error raised while asking: the table's, or 128+N when a
 * signal closed the socket under it.
 */
export function statusOf(error: unknown, io: Io): number {
  return (errorCodeOf(error) === "closed" ? stoppedStatus(io) : null) ?? exitCodeOf(error);
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
): Promise<{ dialect: DialectName; flavour?: Flavour; address: AnyAddress }> {
  if (!mustDetect(spec)) {
    return {
      dialect: spec.dialect as DialectName,
      flavour: spec.flavour,
      address: spec.address,
    };
  }
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
      }: ${found.how}${
        spec.address.kind === "fifo"
          ? found.flavour
            ? ""
            : "; OpenSIPS's framing is written (--flavour kamailio for Kamailio's)"
          : `; --dialect ${found.dialect} skips this probe`
      }\n`,
    );
  }
  return withDetected(spec, found);
}

/** kamcmd's alias (`ps` for `core.ps` with its format) when binrpc words name one. */
export function aliasOf(dialect: DialectName, source: RequestSource): KamcmdAlias | undefined {
  if (dialect !== "binrpc" || source.kind !== "words") return undefined;
  return KAMCMD_ALIASES.find((a) => a.name === source.method);
}

/** The bytes to send for words in a dialect. */
export function requestFor(
  dialect: DialectName,
  source: RequestSource,
  options: SendOptions,
  warn: (message: string) => void = () => {},
): { method: string; params: ReturnType<typeof paramsFromWords> } | Uint8Array {
  if (source.kind === "bytes") return source.bytes;
  // argv is decoded as UTF-8 with U+FFFD for bad bytes: never send a changed argument.
  const bad = [source.method, ...source.words].findIndex((w) => w.includes("\uFFFD"));
  if (bad >= 0) {
    throw new MidgramError(
      "usage",
      `${
        bad === 0 ? "The method" : `Parameter ${bad}`
      } is not valid UTF-8 (or holds U+FFFD): it cannot be sent unchanged from the command line; put the exact bytes in a file and use -f FILE`,
    );
  }
  const alias = aliasOf(dialect, source);
  if (alias) source = { ...source, method: alias.method };
  if (dialect === "mi") {
    if (options.params !== undefined) {
      throw new MidgramError("usage", "--params is for the jsonrpc and binrpc dialects");
    }
    const args = source.words.map((word) => {
      // s:TEXT is always the value TEXT, as in the other dialects.
      if (word.startsWith("s:")) return { name: null, value: word.slice(2) };
      const arg = argumentFromText(word);
      if (arg.name === "") {
        warn(
          `"${word}" is sent as name "" and value "${arg.value}" (the protocol reads NAME::VALUE); write s:${word} to send the value "${word}"`,
        );
      }
      return arg;
    });
    try {
      return new TextEncoder().encode(formatRequest(source.method, args));
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

/** The options of a call to a socket whose dialect is known. */
export function callOptions(
  io: Io,
  found: { dialect: DialectName; flavour?: Flavour },
  settings: { timeoutMs: number; retries: number; indent: string },
  options: SendOptions,
): CallOptions {
  return {
    transport: io.transport,
    codec: clientCodec(found.dialect, { flavour: found.flavour, indent: settings.indent }),
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    signal: io.interrupted,
    flavour: found.flavour,
    replyDir: options.replyDir,
  };
}
