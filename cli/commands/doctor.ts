/**
 * `midgram doctor -s ADDR`: explains why a socket does not answer — it does
 * not exist, it is a stream socket, it is not a socket, the caller lacks
 * permission (and which group would grant it), the server cannot write to
 * the reply path, the server is down — or that it answers, with the
 * round-trip time and its version. One line per finding.
 *
 * @module
 */
import { accessSync, constants, lstatSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import { Command } from "commander";
import { sendRequest } from "../../lib/client/request.ts";
import { parseDuration } from "../../lib/duration.ts";
import { errorCodeOf } from "../../lib/errors.ts";
import { formatAddress, parseAddress } from "../../lib/transport/address.ts";
import { resolveAddress } from "../../lib/transport/resolve_address.ts";
import type { Address } from "../../lib/transport/types.ts";
import { palette } from "../_color.ts";
import { loadConfig } from "../_config_file.ts";
import type { Io } from "../io.ts";
import { DEFAULT_SOCKET } from "./send.ts";

/** One finding: ok, a warning, or a problem. */
export interface Finding {
  level: "ok" | "warn" | "fail";
  text: string;
}

function nameOf(kind: "passwd" | "group", id: number): string {
  try {
    for (const line of readFileSync(`/etc/${kind}`, "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length >= 3 && Number(f[2]) === id) return f[0];
    }
  } catch {
    // No database: show the number.
  }
  return String(id);
}

function unixFindings(path: string): { findings: Finding[]; go: boolean } {
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
  if (!stat.isSocket()) {
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
  findings.push({ level: "ok", text: `${path} is a socket (${owner}, mode ${mode})` });
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

/** Diagnoses one address; returns the findings. */
export async function diagnose(address: Address, timeoutMs: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (address.kind === "unix") {
    const unix = unixFindings(address.path);
    findings.push(...unix.findings);
    if (!unix.go) return findings;
  } else {
    try {
      const resolved = await resolveAddress(address);
      if (resolved.kind === "udp" && resolved.host !== address.host) {
        findings.push({ level: "ok", text: `${address.host} resolves to ${resolved.host}` });
      }
    } catch (error) {
      findings.push({ level: "fail", text: (error as Error).message });
      return findings;
    }
  }
  const target = formatAddress(address);
  try {
    const result = await sendRequest(address, { command: "version", args: [] }, { timeoutMs });
    const server = result.reply?.nodes.find((n) => n.name === "Server")?.value;
    const code = result.reply
      ? `${result.reply.code} ${result.reply.reason}`
      : "an unreadable reply";
    findings.push({
      level: result.reply?.code === 200 ? "ok" : "warn",
      text: `${target} answers in ${result.rttMs.toFixed(1)} ms: ${server ?? code}`,
    });
  } catch (error) {
    const code = errorCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === "connection-refused") {
      findings.push({
        level: "fail",
        text: address.kind === "unix"
          ? `nothing serves ${target}: the server is down (a stale socket file is left)`
          : `nothing listens on ${target}: the server is down`,
      });
    } else if (code === "not-a-socket" && /stream/.test(message)) {
      findings.push({
        level: "fail",
        text:
          `${target} is a stream socket, not a datagram socket: is this the mi_datagram socket_name?`,
      });
    } else if (code === "timeout") {
      findings.push({
        level: "fail",
        text: address.kind === "unix"
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
  options: { socket?: string[]; timeout: string; config?: string },
  io: Io,
  color: "auto" | "always" | "never",
): Promise<number> {
  const { config } = loadConfig({ path: options.config, env: io.env });
  const sockets = options.socket?.length ? options.socket : [
    io.env.MIDGRAM_SOCKET ??
      (config.client.socket ? formatAddress(config.client.socket) : DEFAULT_SOCKET),
  ];
  const timeoutMs = parseDuration(options.timeout, "--timeout");
  const paint = palette(color, io, "stdout");
  let failed = false;
  for (const text of sockets) {
    const findings = await diagnose(parseAddress(text), timeoutMs);
    for (const f of findings) {
      const mark = f.level === "ok"
        ? paint.green("ok  ")
        : f.level === "warn"
        ? paint.yellow("warn")
        : paint.red("FAIL");
      io.stdout(`${mark} ${f.text}\n`);
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
 * import { Command } from "commander";
 * import { doctorCommand } from "./doctor.ts";
 * import { captureIo } from "../io.ts";
 * new Command("midgram").addCommand(doctorCommand(captureIo(), { code: 0 }));
 * ```
 */
export function doctorCommand(io: Io, status: { code: number }): Command {
  return new Command("doctor")
    .summary("explain why a socket does not answer")
    .description(
      "Checks an MI socket step by step and prints one line per finding: whether it exists, is\n" +
        "a datagram socket, this user may write to it (and which group would grant it), the\n" +
        "server is up and can reach the reply socket; or that it answers, with its version.",
    )
    .option(
      "-s, --socket <addr>",
      "address to check (repeatable)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .option("-t, --timeout <duration>", "how long to wait for the reply", "2s")
    .option("--config <file>", "configuration file")
    .addHelpText(
      "after",
      `
Exit status: 0 all is well, 1 a problem was found, 2 usage error.

Examples:
  $ midgram doctor -s /run/opensips/mi.sock
  $ midgram doctor -s udp:127.0.0.1:8080 -t 500ms`,
    )
    .action(async (options, command: Command) => {
      const color = command.optsWithGlobals().color ?? "auto";
      status.code = await runDoctor(options, io, color);
    });
}
