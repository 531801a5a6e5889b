/**
 * Shell completions (bash, zsh, fish) through @bomb.sh/tab, which stands in
 * for cliffy's completions command: `midgram completions bash` prints the
 * script; the shell then calls the hidden `midgram complete -- ARGS…`. For
 * `send`, command names come from the server at the chosen socket (asked
 * with `:which:`, 300 ms at most), fetched before the synchronous completer runs.
 *
 * @module
 */
import type { Command } from "commander";
import tab from "@bomb.sh/tab/commander";
import { sendRequest } from "../lib/client/request.ts";
import { parseAddress } from "../lib/transport/address.ts";
import { loadConfig } from "./_config_file.ts";
import { DEFAULT_SOCKET } from "./commands/send.ts";

/** The socket a `send` command line being completed points at. */
export function socketOf(args: string[], env: Record<string, string | undefined>): string {
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === "-s" || args[i] === "--socket") && args[i + 1]) return args[i + 1];
    if (args[i].startsWith("--socket=")) return args[i].slice(9);
  }
  if (env.MIDGRAM_SOCKET) return env.MIDGRAM_SOCKET;
  try {
    const { config } = loadConfig({ env });
    if (config.client.socket) {
      return config.client.socket.kind === "unix"
        ? config.client.socket.path
        : `udp:${config.client.socket.host}:${config.client.socket.port}`;
    }
  } catch {
    // A broken config file does not break completion.
  }
  return DEFAULT_SOCKET;
}

/** Asks the server for its command names; an empty list when it does not answer in time. */
export async function serverCommands(socket: string, timeoutMs = 300): Promise<string[]> {
  try {
    const { reply } = await sendRequest(parseAddress(socket), { command: "which", args: [] }, {
      timeoutMs,
    });
    if (!reply || reply.code !== 200) return [];
    return reply.nodes.map((n) => n.value ?? "").filter((v) => v !== "");
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
  const argument = send?.arguments.get("command");
  if (argument) {
    argument.handler = (complete) => {
      for (const name of commandNames) complete(name, "");
    };
  }
}
