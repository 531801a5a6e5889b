/**
 * Interactive mode of `midgram send`: `midgram send -s ADDR` with no command
 * on a terminal opens a prompt with history (kept in ~/.midgram_history) and
 * tab completion of the server's method names (`which` or
 * `system.listMethods`), like the shells of the servers' own tools
 * (`opensips-cli`, `kamcmd`). It knows nothing of dialects: `send` hands it
 * a {@linkcode PromptSession}.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Io } from "../io.ts";
import { terminalSafe } from "../_terminal_safe.ts";

/**
 * Splits a typed line into words: white space separates, '…' and "…" quote
 * (a backslash escapes the next character inside "…" and outside quotes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitWords } from "./_interactive.ts";
 * assert.deepEqual(splitWords(`cache_store local key "a value"`), ["cache_store", "local", "key", "a value"]);
 * ```
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= "";
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? "") + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** What the prompt needs from `send`: how to ask and how to list methods. */
export interface PromptSession {
  /** The server's address as the user wrote it. */
  label: string;
  /** The dialect spoken, for the greeting. */
  dialect: string;
  /** The server's method names (empty when it does not answer). */
  methods(): Promise<string[]>;
  /** Sends one call and prints its reply; aborted by Ctrl-C. */
  exchange(method: string, words: string[], signal: AbortSignal): Promise<void>;
  /** The help text of a method from the server, or null. */
  help?(method: string, signal: AbortSignal): Promise<void>;
}

/**
 * Runs the prompt until `quit`, `exit` or end of input; returns 0. Ctrl-C
 * clears the line, or interrupts a pending request, and stays at the prompt.
 */
export async function runInteractive(session: PromptSession, io: Io): Promise<number> {
  const terminal = io.terminal!;
  const label = session.label;
  const historyFile = io.env.HOME ? join(io.env.HOME, ".midgram_history") : null;
  let history: string[] = [];
  try {
    if (historyFile) {
      history = readFileSync(historyFile, "utf8").split("\n").filter(Boolean).reverse().slice(
        0,
        500,
      );
    }
  } catch {
    // No history yet.
  }
  let names = await session.methods();
  const local = ["help", "quit", "exit", "reload"];
  const rl = createInterface({
    input: terminal.input,
    output: terminal.output,
    terminal: true,
    history,
    historySize: 500,
    completer: (line: string): [string[], string] => {
      const words = line.split(/\s+/);
      if (words.length > 1) return [[], line];
      // The line editor writes what it completes as it is: never a name a terminal would obey.
      const all = [...names.filter((n) => terminalSafe(n) === n), ...local];
      const hits = all.filter((n) => n.startsWith(line));
      return [hits.length > 0 ? hits : all, line];
    },
  });
  let pending: AbortController | null = null;
  // Ctrl-C: interrupt the request under way, or clear the line; never leave.
  rl.on("SIGINT", () => {
    if (pending) {
      pending.abort();
      return;
    }
    terminal.output.write("^C\n");
    (rl as unknown as { line: string }).line = "";
    rl.prompt();
  });
  io.stderr(
    names.length > 0
      ? `Connected to ${label} (${session.dialect}): ${names.length} methods. Tab completes, "help" lists, "help METHOD" asks the server, "quit" leaves.\n`
      : `No answer from ${label} yet; type methods anyway, "reload" asks again.\n`,
  );
  rl.setPrompt(`${label}> `);
  rl.prompt();
  for await (const line of rl) {
    const words = splitWords(line.trim());
    if (words.length === 0) {
      rl.prompt();
      continue;
    }
    const [command, ...args] = words;
    if (command === "quit" || command === "exit") break;
    pending = new AbortController();
    try {
      if (command === "help" && args.length === 0) {
        io.stdout(`${names.join("\n")}\n(quit, exit, reload: this prompt's own commands)\n`);
      } else if (command === "help" && session.help) {
        await session.help(args[0], pending.signal);
      } else if (command === "reload") {
        names = await session.methods();
        io.stderr(`${names.length} methods\n`);
      } else {
        await session.exchange(command, args, pending.signal);
      }
    } catch (error) {
      io.stderr(`midgram: ${error instanceof Error ? error.message : error}\n`);
    } finally {
      pending = null;
    }
    rl.prompt();
  }
  rl.close();
  if (historyFile) {
    try {
      const lines = (rl as unknown as { history: string[] }).history.slice().reverse();
      writeFileSync(historyFile, lines.join("\n") + "\n", { mode: 0o600 });
    } catch {
      // A read-only home keeps no history.
    }
  }
  return 0;
}
