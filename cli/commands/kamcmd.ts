/**
 * `midgram kamcmd`: a drop-in for Kamailio's kamcmd. It reads kamcmd's
 * options with kamcmd's getopt rules, reaches the same addresses, and
 * prints what kamcmd prints, byte for byte, on stdout and stderr, so that a
 * script parsing kamcmd's output can switch unchanged. The binary runs it
 * when started under the name `kamcmd`.
 *
 * Differences, on purpose: the exit status says what happened (a fault 1,
 * a usage error 2, no reply in time 3, a transport error 4, a reply that
 * cannot be read 5; kamcmd exits 0 on a fault and 255 on any error), and
 * there is a time limit (kamcmd waits forever): `MIDGRAM_TIMEOUT` (default
 * 5s), an environment variable so that no option of kamcmd's is taken.
 *
 * @module
 */
import { EXIT, MidgramError } from "../../lib/errors.ts";
import { parseDuration } from "../../lib/duration.ts";
import { formatKamcmd, KAMCMD_ALIASES, kamcmdArgument } from "../../lib/protocol/binrpc/mod.ts";
import { readPacket } from "../../lib/protocol/binrpc/read_packet.ts";
import { BinRpcSyntaxError } from "../../lib/protocol/binrpc/binrpc_syntax_error.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import type { Value } from "../../lib/protocol/value.ts";
import { VERSION } from "../../lib/version.ts";
import { type Io, stoppedStatus } from "../io.ts";
import { promptLines } from "./_interactive.ts";
import { KAMCMD_DEFAULT_SOCKET, type KamcmdProto, parseKamcmdAddress } from "./_kamcmd_address.ts";
import { getopt } from "./_kamcmd_getopt.ts";
import { KamcmdFailure, type KamcmdLink, kamcmdRandom, openKamcmdLink } from "./_kamcmd_link.ts";
import { KAMCMD_BANNER, KAMCMD_HELP, KAMCMD_WARRANTY, kamcmdHexdump } from "./_kamcmd_texts.ts";

/** kamcmd's optstring. */
const OPTSTRING = "UVhs:D:R:vf:";
/** kamcmd's `MAX_BINRPC_ARGS`. */
const MAX_ARGS = 256;
/** The time limit when `MIDGRAM_TIMEOUT` is not set. */
export const KAMCMD_DEFAULT_TIMEOUT_MS = 5000;

const BUILTINS: readonly { name: string; doc: string }[] = [
  { name: "?", doc: "help" },
  { name: "help", doc: "displays help for a command" },
  { name: "version", doc: "displays kamcmdversion" },
  { name: "quit", doc: "exits kamcmd" },
  { name: "exit", doc: "exits kamcmd" },
  { name: "warranty", doc: "displays kamcmd's warranty info" },
  { name: "license", doc: "displays kamcmd's license" },
];

/** A command: a method (or alias, or built-in) and its typed arguments. */
interface Cmd {
  method: string;
  args: string[];
}

/** The state of one run. */
interface Session {
  io: Io;
  link: KamcmdLink;
  verbose: number;
  /** `-f`, as given (formatKamcmd resolves its escapes). */
  format: string | null;
  /** The method names from `system.listMethods`, once asked. */
  methods: string[] | null;
  quit: boolean;
}

/** What a command did: 0 done, 1 a fault, else the exit status of a failure. */
type Status = number;

/** C's `%x` of a `char` as getopt's `optopt`: bytes above 0x7f are negative. */
function unknownOption(option: string): string {
  const byte = new TextEncoder().encode(option)[0];
  if (byte >= 0x20 && byte < 0x7f) return `Unknown option \`-${option}'.\n`;
  const value = byte >= 0x80 ? (0xffffff00 | byte) >>> 0 : byte;
  return `Unknown option character \`\\x${value.toString(16)}'.\n`;
}

/** kamcmd's `print_formatting()`: a format with its TAB, LF and CR written as escapes. */
function escapedFormat(format: string): string {
  return format.replace(/[\t\n\r]/g, (c) => c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r");
}

/** kamcmd's line for a reply to another request (the two spaces are kamcmd's). */
function cookieMismatch(sent: number, received: number): string {
  const hex = (cookie: number) => cookie.toString(16).padStart(2, "0");
  return `bad reply, cookie doesn't match: sent ${hex(sent)} and received  ${hex(received)}\n`;
}

/**
 * What a failure prints (kamcmd's line) and its status: 128+N once a stop
 * signal came, else the exit status of its code.
 */
function failed(io: Io, error: unknown): Status {
  if (!(error instanceof KamcmdFailure)) throw error;
  io.stderr(error.stderr);
  return stoppedStatus(io) ?? error.exitCode;
}

/** Sends one request and prints its reply as kamcmd's `run_binrpc_cmd()`. */
async function runBinrpc(
  s: Session,
  method: string,
  args: readonly Value[],
  format: string | null,
): Promise<Status> {
  const { io } = s;
  const cookie = kamcmdRandom();
  let request: Uint8Array;
  try {
    request = clientCodec("binrpc").encodeRequest(
      method,
      { kind: "positional", values: args },
      cookie,
    );
  } catch (error) {
    if (!(error instanceof MidgramError)) throw error;
    io.stderr("ERROR while building the packet: buffer too small (overflow)\n");
    return EXIT.usage;
  }
  const reply = await s.link.exchange(request);
  if (s.verbose >= 3) {
    let offset = 0;
    for (const chunk of reply.reads) {
      io.stdout(`received ${chunk.length} bytes in reply (@offset ${offset}):\n`);
      io.stdout(kamcmdHexdump(chunk));
      offset += chunk.length;
    }
  }
  let packet;
  try {
    packet = readPacket(reply.packet);
  } catch (error) {
    if (!(error instanceof BinRpcSyntaxError)) throw error;
    if (/unknown packet type/.test(error.message)) {
      io.stderr("ERROR: not a reply\n");
    } else {
      io.stderr(
        `ERROR while parsing the reply: ${
          error.truncated ? "more data needed" : "corrupted packet"
        }\n`,
      );
    }
    return EXIT.malformed;
  }
  const type = reply.packet[1] >> 4;
  if (s.verbose > 1) {
    io.stdout(
      `new packet: type ${type.toString(16).padStart(2, "0")}, len ${packet.body.length}, cookie ${
        packet.cookie.toString(16).padStart(2, "0")
      }\n`,
    );
  }
  if (reply.foreign) {
    io.stderr(cookieMismatch(cookie, packet.cookie));
    io.stderr("ERROR: cookie does not match\n");
    return EXIT.malformed;
  }
  if (packet.type === "request") {
    io.stderr("ERROR: not a reply\n");
    return EXIT.malformed;
  }
  const fault = packet.type === "fault";
  const printed = printBody(io, packet.body, fault ? null : format, fault);
  if (printed !== 0) return printed;
  if (s.verbose > 0) io.stdout(".\n");
  return fault ? EXIT.problem : 0;
}

/** kamcmd's `print_body()` (and `print_fault()`): the records, or the error on the first bad one. */
function printBody(io: Io, body: Uint8Array, format: string | null, fault: boolean): Status {
  try {
    io.stdout(formatKamcmd(body, { format, fault }));
    return 0;
  } catch (error) {
    if (!(error instanceof BinRpcSyntaxError)) throw error;
    const at = error.offset;
    const rec = /record (\d+): (.*)$/.exec(error.message);
    // What kamcmd printed before the bad record.
    if (format === null && !fault) {
      try {
        io.stdout(formatKamcmd(body.subarray(0, at)));
      } catch { /* nothing whole before it */ }
    } else io.stdout(fault ? "error: \n" : "\n");
    const byte = (body[at] ?? 0).toString(16).padStart(2, "0");
    io.stderr(
      `ERROR:: while parsing the record ${rec?.[1] ?? 0}, @${at}: ${byte} : ${
        rec?.[2] ?? error.message
      }\n`,
    );
    return EXIT.malformed;
  }
}

/** The method names (kamcmd's `get_kamcmd_list()`); a fault is printed, other failures are silent. */
async function listMethods(s: Session): Promise<string[] | null> {
  const { io } = s;
  const cookie = kamcmdRandom();
  const request = clientCodec("binrpc").encodeRequest(
    "system.listMethods",
    { kind: "positional", values: [] },
    cookie,
  );
  let reply;
  try {
    reply = await s.link.exchange(request);
  } catch (error) {
    if (error instanceof KamcmdFailure && error.stderr.startsWith("ERROR: connect")) throw error;
    return null;
  }
  let packet;
  try {
    packet = readPacket(reply.packet);
  } catch {
    return null;
  }
  if (reply.foreign) {
    io.stderr(cookieMismatch(cookie, packet.cookie));
    return null;
  }
  if (packet.type === "fault") {
    printBody(io, packet.body, null, true);
    return null;
  }
  if (packet.type !== "reply") {
    io.stderr("ERROR: not a reply\n");
    return null;
  }
  const decoded = reply.outcome;
  if (decoded?.kind !== "result") return null;
  const names: string[] = [];
  const walk = (v: Value): void => {
    if (typeof v === "string") names.push(v);
  };
  for (const v of decoded.value as Value[]) walk(v);
  return names;
}

/** kamcmd's `kamcmd_help()`. */
async function help(s: Session, cmd: Cmd): Promise<Status> {
  const { io } = s;
  const first = cmd.args.length > 0 ? kamcmdArgument(cmd.args[0]) : null;
  if (typeof first === "string") {
    const name = first;
    const alias = KAMCMD_ALIASES.find((a) => a.name === name);
    if (alias) {
      io.stdout(
        `${name} is an alias for ${alias.method}${
          alias.format === null ? "" : ` with reply formatting: "${escapedFormat(alias.format)}"`
        }\n`,
      );
      return 0;
    }
    const builtin = BUILTINS.find((b) => b.name === name);
    if (builtin) {
      io.stdout(`builtin command: ${builtin.doc}\n`);
      return 0;
    }
    const status = await runBinrpc(s, "system.methodHelp", cmd.args.map(kamcmdArgument), null)
      .catch((error) => failed(io, error));
    if (status > 1) io.stdout(`error: no such command ${first}\n`);
    return status;
  }
  if (s.methods === null || s.methods.length === 0) {
    s.methods = await listMethods(s).catch((error) => {
      if (error instanceof KamcmdFailure) {
        io.stderr(error.stderr);
        return null;
      }
      throw error;
    });
    if (s.methods === null) return stoppedStatus(io) ?? EXIT.transport;
  }
  let out = "";
  for (const m of s.methods) out += `${m}\n`;
  for (const a of KAMCMD_ALIASES) out += `alias: ${a.name}\n`;
  for (const b of BUILTINS) out += `builtin: ${b.name}\n`;
  io.stdout(out);
  return 0;
}

/** kamcmd's `run_cmd()`: an alias is resolved, a built-in runs here, anything else is sent. */
async function runCmd(s: Session, cmd: Cmd): Promise<Status> {
  let format = s.format;
  let method = cmd.method;
  const alias = KAMCMD_ALIASES.find((a) => a.name === method);
  if (alias) {
    method = alias.method;
    format ??= alias.format;
  }
  switch (method) {
    case "?":
    case "help":
      return await help(s, cmd);
    case "quit":
    case "exit":
      s.quit = true;
      return 0;
    case "warranty":
    case "license":
      s.io.stdout(KAMCMD_WARRANTY);
      return 0;
    case "version": // never reached: "version" is an alias first, as in kamcmd
  }
  try {
    return await runBinrpc(s, method, cmd.args.map(kamcmdArgument), format);
  } catch (error) {
    return failed(s.io, error);
  }
}

/** kamcmd's `trim_ws()`. */
function trimWs(line: string): string {
  return line.replace(/^[ \t\n\r]+/, "").replace(/[ \t\n\r]+$/, "");
}

/** kamcmd's `parse_line()` and `run_cmd()` for one typed line; errors go to stdout, as kamcmd's do. */
async function runLine(s: Session, line: string): Promise<Status> {
  const words = line.split(/[ \t]+/).filter((w) => w !== "");
  if (words.length === 0) {
    s.io.stdout("ERROR: no method name\n");
    return EXIT.usage;
  }
  if (words.length - 1 > MAX_ARGS) {
    s.io.stdout(`ERROR: too many arguments (${MAX_ARGS}), no more than ${MAX_ARGS} allowed\n`);
    return EXIT.usage;
  }
  return await runCmd(s, { method: words[0], args: words.slice(1) });
}

/** Names to complete: aliases, built-ins, then the server's methods (kamcmd's order). */
function completer(s: Session): (line: string) => [string[], string] {
  return (line: string) => {
    const words = line.split(/[ \t]+/);
    const lead = words.length === 1 || (words.length === 2 && words[0] === "");
    const paramOfHelp = words.length === 2 &&
      ["?", "h", "help", "system.methodSignature", "system.methodHelp"].includes(words[0]);
    if (!lead && !paramOfHelp) return [[], line];
    const text = words[words.length - 1];
    const all = [
      ...KAMCMD_ALIASES.map((a) => a.name),
      ...BUILTINS.map((b) => b.name),
      ...(s.methods ?? []),
    ];
    return [all.filter((n) => n.startsWith(text)), text];
  };
}

/**
 * What GNU readline makes of TABs typed in a line: each completes the word
 * before it (one match: the match and a space; several: their common
 * prefix; none: nothing), and is never inserted itself.
 */
function tabsCompleted(line: string, complete: (line: string) => [string[], string]): string {
  let out = "";
  for (const c of line) {
    if (c !== "\t") {
      out += c;
      continue;
    }
    const [hits, word] = complete(out);
    if (hits.length === 0) continue;
    let prefix = hits[0];
    for (const h of hits) while (!h.startsWith(prefix)) prefix = prefix.slice(0, -1);
    out = out.slice(0, out.length - word.length) + prefix + (hits.length === 1 ? " " : "");
  }
  return out;
}

/** A promise's value, or null as soon as a stop signal comes. */
function untilStopped<T>(io: Io, promise: Promise<T>): Promise<T | null> {
  if (io.interrupted.aborted) return Promise.resolve(null);
  let onStop!: () => void;
  const stopped = new Promise<null>((resolve) => {
    onStop = () => resolve(null);
    io.interrupted.addEventListener("abort", onStop, { once: true });
  });
  return Promise.race([promise, stopped]).finally(() =>
    io.interrupted.removeEventListener("abort", onStop)
  );
}

/** The interactive mode: kamcmd's banner, then `kamcmd> ` until `quit`, `exit` or end of input. */
async function interactive(s: Session): Promise<Status> {
  const { io } = s;
  s.methods = await listMethods(s);
  io.stdout(KAMCMD_BANNER);
  const complete = completer(s);
  if (io.terminal) {
    // readline's Ctrl-C: a new line and a fresh prompt, as GNU readline does.
    await promptLines(io, {
      prompt: "kamcmd> ",
      interruptEcho: "\n",
      complete,
      async run(raw) {
        const line = trimWs(raw);
        if (line !== "") await runLine(s, line);
        return !s.quit;
      },
    });
    return stoppedStatus(io) ?? 0;
  }
  // Not a terminal: readline echoes each line after the prompt.
  const input = await untilStopped(io, io.readStdin());
  if (input === null) return stoppedStatus(io)!;
  const text = new TextDecoder().decode(input);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const typed of lines) {
    const raw = tabsCompleted(typed, complete);
    io.stdout(`kamcmd> ${raw}\n`);
    const line = trimWs(raw);
    if (line !== "") await runLine(s, line);
    if (s.quit) return 0;
  }
  io.stdout("kamcmd> ");
  return 0;
}

/**
 * Runs `kamcmd ARGS...` (the arguments after the program name) and returns
 * the exit status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kamcmdCommand } from "./kamcmd.ts";
 * import { captureIo } from "../io.ts";
 * const io = captureIo();
 * assert.equal(await kamcmdCommand(["-h"], io), 0);
 * assert.match(io.out(), /^Usage: kamcmd/m);
 * ```
 */
export async function kamcmdCommand(argv: readonly string[], io: Io): Promise<number> {
  const { events, operands } = getopt(argv, OPTSTRING, {
    posixlyCorrect: io.env.POSIXLY_CORRECT !== undefined,
  });
  let sockName: string | null = null;
  let replySocket: string | undefined;
  let socketDir: string | undefined;
  let defaultProto: KamcmdProto = "unixs";
  let verbose = 0;
  let format: string | null = null;
  for (const e of events) {
    if (e.kind === "unknown") {
      io.stderr(unknownOption(e.option));
      return EXIT.usage;
    }
    switch (e.option) {
      case "V":
        io.stdout(`version: kamcmd 1.5 (midgram ${VERSION})\nmidgram ${VERSION} kamcmd drop-in\n`);
        return 0;
      case "h":
        io.stdout(`version: kamcmd 1.5 (midgram ${VERSION})\n${KAMCMD_HELP}`);
        return 0;
      case "s":
        sockName = e.argument!;
        break;
      case "R":
        replySocket = e.argument!;
        break;
      case "D":
        socketDir = e.argument!;
        break;
      case "U":
        defaultProto = "udp";
        break;
      case "v":
        verbose++;
        break;
      case "f":
        format = e.argument!;
        break;
    }
  }
  if (format !== null) {
    try {
      formatKamcmd([], { format });
    } catch (error) {
      io.stderr(`ERROR: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  }
  let timeoutMs = KAMCMD_DEFAULT_TIMEOUT_MS;
  if (io.env.MIDGRAM_TIMEOUT !== undefined && io.env.MIDGRAM_TIMEOUT !== "") {
    try {
      timeoutMs = parseDuration(io.env.MIDGRAM_TIMEOUT, "MIDGRAM_TIMEOUT");
    } catch (error) {
      io.stderr(`ERROR: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  }
  sockName ??= KAMCMD_DEFAULT_SOCKET;
  const address = parseKamcmdAddress(sockName, defaultProto);
  if (address === null) {
    io.stderr(`ERROR: error parsing server socket address ${sockName}\n`);
    return EXIT.usage;
  }
  let link: KamcmdLink;
  try {
    link = await openKamcmdLink(address, {
      transport: io.transport,
      replySocket,
      socketDir,
      timeoutMs,
      signal: io.interrupted,
    });
  } catch (error) {
    return failed(io, error);
  }
  const s: Session = { io, link, verbose, format, methods: null, quit: false };
  try {
    if (operands.length === 0) return await interactive(s);
    if (operands.length - 1 > MAX_ARGS) {
      io.stderr(`ERROR: too many args ${operands.length - 1}, only ${MAX_ARGS} allowed\n`);
      return EXIT.usage;
    }
    return await runCmd(s, { method: operands[0], args: operands.slice(1) });
  } catch (error) {
    return failed(io, error);
  } finally {
    await link.close();
  }
}
