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
import { readdirSync } from "node:fs";
import type { Command } from "commander";
import tab from "@bomb.sh/tab/commander";
import { type DialectChoice, parseSocketSpec, type SocketSpec } from "../lib/socket_spec.ts";
import type { Transport } from "../lib/transport/types.ts";
import { loadConfig } from "./_config_file.ts";
import { chooseSockets, DEFAULT_SOCKET, namedDialect, namedSockets } from "./_sockets.ts";

/** Options whose value is a path (or an address that may be one). */
const PATH_OPTIONS = ["socket", "file", "config", "batch", "save", "dir", "reply-dir"];

/**
 * The paths that complete `word`: entries of its directory that start with
 * its last part (directories with a final `/`), keeping an address scheme or
 * dialect prefix (`unixs:`, `jsonrpc=`) in front.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathCandidates } from "./_completions.ts";
 * assert.deepEqual(pathCandidates("/et"), ["/etc/"]);
 * ```
 */
export function pathCandidates(word: string): string[] {
  const prefix =
    /^(?:(?:mi|jsonrpc|binrpc|ctlfifo|auto)(?:\/\w+)?=)?(?:unix[sd]?:|fifo:)?/.exec(word)![0];
  const rest = word.slice(prefix.length);
  const slash = rest.lastIndexOf("/");
  const dir = slash < 0 ? "" : rest.slice(0, slash + 1);
  const base = slash < 0 ? rest : rest.slice(slash + 1);
  let entries;
  try {
    entries = readdirSync(dir === "" ? "." : dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith(".") || !e.name.startsWith(".")))
    .map((e) => `${prefix}${dir}${e.name}${e.isDirectory() ? "/" : ""}`)
    .sort();
}

/**
 * Makes the generated bash script safe to source twice and usable without
 * the bash-completion package (whose `_get_comp_words_by_ref` it calls).
 */
export function fixBashScript(script: string): string {
  return script
    .replace(/^readonly (ShellCompDirective\w+=\d+)$/gm, "$1")
    .replace(
      /^(\s*)_get_comp_words_by_ref -n "=:" cur prev words cword$/m,
      [
        "$1if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then",
        '$1    _get_comp_words_by_ref -n "=:" cur prev words cword',
        "$1else",
        '$1    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD',
        '$1    cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "$1fi",
      ].join("\n"),
    );
}

/** The values a command line being completed gives an option (`--name V`, `--name=V`, `-x V`), in order. */
function optionValues(args: string[], long: string, short?: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === long || args[i] === short) && args[i + 1]) values.push(args[i + 1]);
    if (args[i].startsWith(`${long}=`)) values.push(args[i].slice(long.length + 1));
  }
  return values;
}

/** The socket (and dialect) a `send` command line being completed points at. */
export function socketOf(args: string[], env: Record<string, string | undefined>): SocketSpec {
  // The first socket named (send's own); the last dialect (commander's rule).
  let socket: string | undefined = optionValues(args, "--socket", "-s")[0];
  const dialect = optionValues(args, "--dialect").at(-1) as DialectChoice | undefined;
  let config: ReturnType<typeof loadConfig>["config"] | null = null;
  try {
    config = loadConfig({ env }).config;
  } catch {
    // A broken config file does not break completion.
  }
  socket ??= namedSockets(undefined, env, config?.client.socket).texts[0];
  let chosen: DialectChoice;
  try {
    chosen = namedDialect(dialect, env, config?.client.dialect);
  } catch {
    chosen = "auto"; // completion never fails on a bad --dialect or MIDGRAM_DIALECT
  }
  return parseSocketSpec(socket, chosen, config?.client.flavour);
}

/**
 * {@linkcode socketOf}, and when it is midgram's absent default, the
 * server default that answers (the same choice as `send`'s).
 */
export async function completionSocket(
  args: string[],
  env: Record<string, string | undefined>,
  transport: Transport,
): Promise<SocketSpec> {
  const spec = socketOf(args, env);
  if (spec.text !== DEFAULT_SOCKET) return spec;
  const chosen = await chooseSockets({
    flag: undefined,
    env: {},
    configured: undefined,
    transport,
    timeoutMs: 300,
  });
  return parseSocketSpec(chosen.texts[0], spec.dialect, spec.flavour);
}

/** The `--reply-dir` of a command line being completed. */
export function replyDirOf(args: string[]): string | undefined {
  return optionValues(args, "--reply-dir")[0];
}

/**
 * Adds `completions <shell>` (and the hidden `complete`) to the program.
 *
 * @param commandNames The server's command names for `send`, fetched beforehand.
 */
export function setupCompletions(
  root: Command,
  commandNames: string[],
  current = "",
): void {
  const completion = tab(root, { completionCommandName: "completions" });
  // Paths for the options and arguments that take one (files, sockets, FIFOs).
  const paths = (complete: (value: string, description: string) => void) => {
    for (const path of pathCandidates(current)) complete(path, "");
  };
  for (const [, command] of completion.commands) {
    for (const name of PATH_OPTIONS) {
      const option = command.options.get(name);
      if (option) option.handler = paths;
    }
  }
  for (const name of ["parse", "fuzz"]) {
    for (const [, argument] of completion.commands.get(name)?.arguments ?? []) {
      argument.handler = paths;
    }
  }
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
