/**
 * `midgram doctor -s ADDR`: explains why a socket does not answer — it does
 * not exist, it is a stream socket, it is not a socket, the caller lacks
 * permission (and which group would grant it), the server cannot write to
 * the reply path, the server is down — or that it answers, with the
 * round-trip time and its version. One line per finding.
 *
 * @module
 */
import { accessSync, constants, lstatSync, statSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import { Command, Option } from "commander";
import { call } from "../../lib/client/call.ts";
import { detectDialect, mustDetect, withDetected } from "../../lib/client/detect.ts";
import { parseDuration } from "../../lib/duration.ts";
import { errorCodeOf, exitStatusHelp } from "../../lib/errors.ts";
import type { DialectName } from "../../lib/protocol/dialect.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import { DIALECT_CHOICES } from "../../lib/socket_spec.ts";
import { peerOf } from "../../lib/protocol/peer.ts";
import { isStruct, NO_PARAMS, structEntries, type Value } from "../../lib/protocol/value.ts";
import {
  type DialectChoice,
  type Flavour,
  parseSocketSpec,
  type SocketSpec,
} from "../../lib/socket_spec.ts";
import { formatAddress } from "../../lib/transport/address.ts";
import { nameOf } from "../../lib/transport/names.ts";
import type { Transport } from "../../lib/transport/types.ts";
import { palette } from "../_color.ts";
import { loadConfig } from "../_config_file.ts";
import { versionLine } from "../_build_info.ts";
import type { Io } from "../io.ts";
import { chooseSockets, DEFAULT_SOCKET, namedDialect } from "../_sockets.ts";

/** One finding: ok, a warning, or a problem. */
export interface Finding {
  level: "ok" | "warn" | "fail";
  text: string;
}

function unixFindings(path: string, kind: string): { findings: Finding[]; go: boolean } {
  const findings: Finding[] = [];
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") {
      let dirOk = true;
      try {
        statSync(dirname(path));
      } catch {
        dirOk = false;
      }
      findings.push({
        level: "fail",
        text: dirOk
          ? `${path} does not exist: is the server running, and is this its socket_name?`
          : `${path} does not exist, nor does its directory ${dirname(path)}`,
      });
    } else if (code === "EACCES") {
      findings.push({
        level: "fail",
        text: `${path}: permission denied on its directory ${dirname(path)}`,
      });
    } else findings.push({ level: "fail", text: `${path}: ${code ?? error}` });
    return { findings, go: false };
  }
  if (stat.isSymbolicLink()) {
    findings.push({
      level: "warn",
      text: `${path} is a symbolic link (the real servers refuse those)`,
    });
    try {
      stat = statSync(path);
    } catch {
      findings.push({ level: "fail", text: `${path} is a dangling symbolic link` });
      return { findings, go: false };
    }
  }
  if (kind === "fifo") {
    if (!stat.isFIFO()) {
      findings.push({ level: "fail", text: `${path} is not a FIFO` });
      return { findings, go: false };
    }
  } else if (!stat.isSocket()) {
    const what = stat.isDirectory()
      ? "a directory"
      : stat.isFIFO()
      ? "a FIFO (the mi_fifo interface?)"
      : "a regular file";
    findings.push({ level: "fail", text: `${path} is ${what}, not a socket` });
    return { findings, go: false };
  }
  const owner = `${nameOf("passwd", stat.uid)}:${nameOf("group", stat.gid)}`;
  const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
  findings.push({
    level: "ok",
    text: `${path} is a ${kind === "fifo" ? "FIFO" : "socket"} (${owner}, mode ${mode})`,
  });
  try {
    accessSync(path, constants.W_OK);
    findings.push({ level: "ok", text: "this user may write to it" });
  } catch {
    const uid = process.getuid?.() ?? -1;
    const groups = process.getgroups?.() ?? [];
    const groupCanWrite = (stat.mode & 0o020) !== 0;
    const hint = groupCanWrite && !groups.includes(stat.gid)
      ? `: add ${nameOf("passwd", uid)} to group ${nameOf("group", stat.gid)} (then log in again)`
      : groupCanWrite
      ? ""
      : `: the socket's mode ${mode} gives its group no write permission (set the server's socket mode, e.g. 0660)`;
    findings.push({
      level: "fail",
      text: `permission denied: this user cannot write to ${path}${hint}`,
    });
    return { findings, go: false };
  }
  return { findings, go: true };
}

/** The version text in a reply value, wherever it is. */
function versionText(value: Value): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.length > 0 ? versionText(value[0]) : null;
  if (isStruct(value)) {
    const entries = structEntries(value);
    const member = (name: string) => entries.find(([n]) => n === name)?.[1];
    // A text MI tree node: { name, value, attributes, children }.
    if (entries.some(([n]) => n === "children")) {
      const v = member("value");
      return member("name") === "Server" && typeof v === "string"
        ? v
        : versionText(member("children") ?? null);
    }
    const server = member("Server");
    if (typeof server === "string") return server;
  }
  return null;
}

/** Diagnoses one socket; returns the findings. */
export async function diagnose(
  spec: SocketSpec,
  timeoutMs: number,
  transport: Transport,
  replyDir?: string,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const address = spec.address;
  const kind: string = address.kind;
  if (kind === "unix" || kind === "unix-stream" || kind === "fifo") {
    const unix = unixFindings((address as { path: string }).path, kind);
    findings.push(...unix.findings);
    if (!unix.go) return findings;
  } else if (kind === "udp" || kind === "tcp") {
    try {
      const resolved = await transport.resolve(address);
      const host = (address as { host: string }).host;
      const now = (resolved as { host: string }).host;
      if (now !== host) findings.push({ level: "ok", text: `${host} resolves to ${now}` });
    } catch (error) {
      findings.push({ level: "fail", text: (error as Error).message });
      return findings;
    }
  }
  const target = formatAddress(address);
  let to = address;
  try {
    let dialect = spec.dialect as DialectName;
    let flavour = spec.flavour;
    if (mustDetect(spec)) {
      const found = await detectDialect(address, { transport, timeoutMs });
      ({ dialect, flavour, address: to } = withDetected(spec, found));
      findings.push({
        level: "ok",
        text: `${target} speaks ${dialect}${flavour ? ` (${flavour})` : ""}: ${found.how}`,
      });
    }
    const ask = (flavour?: Flavour) =>
      call(to, { method: peerOf(dialect, flavour).methods.version, params: NO_PARAMS }, {
        transport,
        codec: clientCodec(dialect, { flavour }),
        timeoutMs,
        flavour,
        replyDir,
      });
    let result = await ask(flavour);
    // OpenSIPS's `version` is a method Kamailio's jsonrpcs does not have: its
    // "Method Not Found" (code 500) is a healthy Kamailio, then asked core.version.
    const kamailio = peerOf(dialect, "kamailio");
    if (
      flavour === undefined && kamailio !== peerOf(dialect) &&
      kamailio.isMethodNotFound(result.outcome)
    ) {
      findings.push({
        level: "ok",
        text:
          `${target} answers as Kamailio's jsonrpcs (500 Method Not Found to OpenSIPS's version)`,
      });
      flavour = kamailio.flavour;
      result = await ask(flavour);
    }
    const outcome = result.outcome;
    const what = outcome?.kind === "result"
      ? versionText(outcome.value) ?? "a reply without a version"
      : outcome?.kind === "error"
      ? `error ${outcome.code} ${outcome.message}`
      : result.error?.message ?? "an unreadable reply";
    findings.push({
      level: outcome?.kind === "result" ? "ok" : "warn",
      text: `${target} answers in ${result.rttMs.toFixed(1)} ms: ${what}`,
    });
  } catch (error) {
    const code = errorCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === "connection-refused") {
      findings.push({
        level: "fail",
        text: kind === "unix" || kind === "unix-stream"
          ? `nothing serves ${target}: the server is down (a stale socket file is left)`
          : `nothing listens on ${target}: the server is down`,
      });
    } else if (code === "not-a-socket" && /stream/.test(message)) {
      findings.push({
        level: "fail",
        text:
          `${target} is a stream socket, not a datagram socket: a Kamailio ctl socket? try --dialect binrpc or unixs:${
            (address as { path?: string }).path ?? ""
          }`,
      });
    } else if (code === "timeout" && kind === "fifo") {
      findings.push({ level: "fail", text: message.replace(/^No reply/, "no reply") });
    } else if (code === "timeout" && (to.kind === "unix-stream" || to.kind === "tcp")) {
      // A stream has no reply socket: connected, then no answer.
      findings.push({
        level: "fail",
        text:
          `${target} accepted the connection but gave no reply within ${timeoutMs} ms: the server is hung, stopped (SIGSTOP) or overloaded`,
      });
    } else if (code === "timeout") {
      findings.push({
        level: "fail",
        text: to.kind === "unix"
          ? `no reply within ${timeoutMs} ms: the server may not reach the reply socket in ${
            process.env.TMPDIR ?? "/tmp"
          } (a private /tmp? set TMPDIR to a directory it can reach), or it is hung`
          : `no reply within ${timeoutMs} ms: the server is down, a firewall drops it, or its allow list excludes this host`,
      });
    } else findings.push({ level: "fail", text: message });
  }
  return findings;
}

/** Runs `doctor`; returns the exit status. */
export async function runDoctor(
  options: {
    socket?: string[];
    timeout: string;
    config?: string;
    dialect?: DialectChoice;
    flavour?: Flavour;
    replyDir?: string;
  },
  io: Io,
  color: "auto" | "always" | "never",
): Promise<number> {
  const { config, file } = loadConfig({ path: options.config, env: io.env });
  const timeoutMs = parseDuration(options.timeout, "--timeout");
  const dialect = namedDialect(options.dialect, io.env, config.client.dialect);
  const chosen = await chooseSockets({
    flag: options.socket,
    env: io.env,
    configured: config.client.socket,
    transport: io.transport,
    timeoutMs,
  });
  const sockets = chosen.texts;
  const flavour = options.flavour ?? config.client.flavour;
  const paint = palette(color, io, "stdout");
  let failed = false;
  io.stdout([paint.green("ok  "), ` ${versionLine(file)}\n`]);
  if (chosen.found) {
    io.stdout([
      paint.green("ok  "),
      ` no socket given and ${DEFAULT_SOCKET} is absent: ${chosen.found.spec} (${chosen.found.what}) answers\n`,
    ]);
  } else if (chosen.tried) {
    io.stdout([
      paint.red("FAIL"),
      ` no socket given, and nothing answers at the servers' defaults (${
        chosen.tried.slice(1).join(", ")
      }): name it with -s ADDRESS\n`,
    ]);
    failed = true;
  }
  for (const text of sockets) {
    const findings = await diagnose(
      parseSocketSpec(text, dialect, flavour),
      timeoutMs,
      io.transport,
      options.replyDir,
    );
    for (const f of findings) {
      const mark = f.level === "ok"
        ? paint.green("ok  ")
        : f.level === "warn"
        ? paint.yellow("warn")
        : paint.red("FAIL");
      io.stdout([mark, ` ${f.text}\n`]);
      if (f.level !== "ok") failed = true;
    }
  }
  return failed ? 1 : 0;
}

/**
 * Builds the `doctor` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "commander";
 * import { doctorCommand } from "./doctor.ts";
 * import { captureIo } from "../io.ts";
 * const program = new Command("midgram").addCommand(doctorCommand(captureIo(), { code: 0 }));
 * assert.deepEqual(program.commands.map((c) => c.name()), ["doctor"]);
 * ```
 */
export function doctorCommand(io: Io, status: { code: number }): Command {
  return new Command("doctor")
    .summary("explain why a socket does not answer")
    .description(
      // One paragraph: the help wraps it to the terminal's width.
      "Checks a management socket step by step and prints one line per finding: this " +
        "midgram's version and config file; whether the socket exists, is a socket (or FIFO) " +
        "of the right kind, this user may write to it (and which group would grant it), which " +
        "dialect it speaks, the server is up and can reach the reply socket; or that it " +
        "answers, with its version. Without -s: the first of the servers' default sockets " +
        "that answers.",
    )
    .option(
      "-s, --socket <addr>",
      "address to check (repeatable)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .addOption(
      new Option("--dialect <dialect>", "mi, jsonrpc, binrpc, ctlfifo, or auto [default: auto]")
        .choices(DIALECT_CHOICES as string[]),
    )
    .addOption(
      new Option("--flavour <flavour>", "JSON-RPC: opensips or kamailio").choices([
        "opensips",
        "kamailio",
      ]),
    )
    .option("-t, --timeout <duration>", "how long to wait for the reply", "2s")
    .option(
      "--reply-dir <dir>",
      "FIFO: the server's reply directory [default: the one its config file sets, when readable; else /tmp]",
    )
    .option("--config <file>", "configuration file")
    .addHelpText(
      "after",
      `
Exit status:
${exitStatusHelp()}

Examples:
  $ midgram doctor -s /run/opensips/mi.sock
  $ midgram doctor -s udp:127.0.0.1:8080 -t 500ms`,
    )
    .action(async (options, command: Command) => {
      const color = command.optsWithGlobals().color ?? "auto";
      status.code = await runDoctor(options, io, color);
    });
}
