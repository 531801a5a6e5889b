/**
 * Shell completions (bash, zsh, fish) through @bomb.sh/tab, which stands in
 * for cliffy's completions command: `midgram completions bash` prints the
 * script; the shell then calls the hidden `midgram complete -- ARGS…`. For
 * `send`, method names come from the server at the chosen socket (`which` or
 * `system.listMethods` in its dialect, 300 ms at most), fetched before the
 * synchronous completer runs.
 *
 * @module
 */
import type { Command } from "commander";
import tab from "@bomb.sh/tab/commander";
import { detectDialect } from "../lib/client/detect.ts";
import { listMethods } from "../lib/client/methods.ts";
import { clientCodec } from "../lib/protocol/dialects.ts";
import {
  DIALECT_CHOICES,
  type DialectChoice,
  parseSocketSpec,
  type SocketSpec,
} from "../lib/socket_spec.ts";
import type { Transport } from "../lib/transport/types.ts";
import { loadConfig } from "./_config_file.ts";
import { DEFAULT_SOCKET } from "./commands/send.ts";

/** The socket (and dialect) a `send` command line being completed points at. */
export function socketOf(args: string[], env: Record<string, string | undefined>): SocketSpec {
  let socket: string | undefined;
  let dialect: DialectChoice | undefined;
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === "-s" || args[i] === "--socket") && args[i + 1]) socket ??= args[i + 1];
    if (args[i].startsWith("--socket=")) socket ??= args[i].slice(9);
    if (args[i] === "--dialect" && args[i + 1]) dialect = args[i + 1] as DialectChoice;
    if (args[i].startsWith("--dialect=")) dialect = args[i].slice(10) as DialectChoice;
  }
  let config: ReturnType<typeof loadConfig>["config"] | null = null;
  try {
    config = loadConfig({ env }).config;
  } catch {
    // A broken config file does not break completion.
  }
  socket ??= env.MIDGRAM_SOCKET ?? config?.client.socket ?? DEFAULT_SOCKET;
  dialect ??= (env.MIDGRAM_DIALECT as DialectChoice | undefined) ?? config?.client.dialect ??
    "auto";
  if (!DIALECT_CHOICES.includes(dialect)) dialect = "auto";
  return parseSocketSpec(socket, dialect, config?.client.flavour);
}

/** Asks the server for its method names; an empty list when it does not answer in time. */
export async function serverCommands(
  spec: SocketSpec,
  transport: Transport,
  timeoutMs = 300,
): Promise<string[]> {
  try {
    const found = spec.dialect === "auto"
      ? await detectDialect(spec.address, { transport, timeoutMs })
      : { dialect: spec.dialect, flavour: spec.flavour };
    return await listMethods(spec.address, {
      transport,
      codec: clientCodec(found.dialect, { flavour: found.flavour }),
      flavour: found.flavour,
      timeoutMs,
    });
  } catch {
    return [];
  }
}

/**
 * Adds `completions <shell>` (and the hidden `complete`) to the program.
 *
 * @param commandNames The server's command names for `send`, fetched beforehand.
 */
export function setupCompletions(root: Command, commandNames: string[]): void {
  const completion = tab(root, { completionCommandName: "completions" });
  // Completion lists show one line per command: the summary, not the long description.
  for (const command of root.commands) {
    const entry = completion.commands.get(command.name());
    if (entry) entry.description = command.summary() || command.description().split("\n")[0];
  }
  const send = completion.commands.get("send");
  const argument = send?.arguments.get("method");
  if (argument) {
    argument.handler = (complete) => {
      for (const name of commandNames) complete(name, "");
    };
  }
}
