/**
 * Interactive mode of `midgram send`: `midgram send -s ADDR` with no command
 * on a terminal opens a prompt with history (kept in ~/.midgram_history) and
 * tab completion of the server's method names (`which` or
 * `system.listMethods`), like the shells of the servers' own tools
 * (`opensips-cli`, `kamcmd`). It knows nothing of dialects: `send` hands it
 * a {@linkcode PromptSession}. Its line loop, {@linkcode promptLines}, is
 * kamcmd's interactive mode's too.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Io, stoppedStatus } from "../io.ts";
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

/** How {@linkcode promptLines} reads and runs lines. */
export interface PromptLoop {
  /** Written before each line. */
  prompt: string;
  /** The completions of the line typed so far, and the word they replace. */
  complete(line: string): [string[], string];
  /** Lines typed before, newest first (the line editor's up arrow). Default none. */
  history?: string[];
  /** What Ctrl-C at the prompt writes before a fresh one (`^C` and a new line, or a new line). */
  interruptEcho: string;
  /**
   * Runs one line as typed; `signal` aborts when Ctrl-C comes while it runs.
   * Resolves `false` to leave the prompt.
   */
  run(line: string, signal: AbortSignal): Promise<boolean>;
}

/**
 * The one prompt of `send` and `kamcmd` on a terminal: a line editor with
 * history (500 lines) and completion, which never writes a name a terminal
 * would obey. Ctrl-C clears the line, or aborts the line under way, and
 * stays at the prompt; the end of input, a line that says so, or a stop
 * signal (`io.interrupted`, SIGTERM) leaves. Returns the history, newest first.
 */
export async function promptLines(io: Io, loop: PromptLoop): Promise<string[]> {
  const terminal = io.terminal!;
  const rl = createInterface({
    input: terminal.input,
    output: terminal.output,
    terminal: true,
    history: loop.history ?? [],
    historySize: 500,
    completer: (line: string): [string[], string] => {
      const [hits, word] = loop.complete(line);
      return [hits.filter((n) => terminalSafe(n) === n), word];
    },
  });
  let pending: AbortController | null = null;
  rl.on("SIGINT", () => {
    if (pending) {
      pending.abort();
      return;
    }
    terminal.output.write(loop.interruptEcho);
    (rl as unknown as { line: string }).line = "";
    rl.prompt();
  });
  // A stop signal while waiting for a line ends the prompt as it would end the process.
  const onStop = () => rl.close();
  io.interrupted.addEventListener("abort", onStop, { once: true });
  try {
    rl.setPrompt(loop.prompt);
    if (io.interrupted.aborted) return [];
    rl.prompt();
    for await (const line of rl) {
      pending = new AbortController();
      let more: boolean;
      try {
        more = await loop.run(line, pending.signal);
      } finally {
        pending = null;
      }
      if (!more || io.interrupted.aborted) break;
      rl.prompt();
    }
  } finally {
    io.interrupted.removeEventListener("abort", onStop);
    rl.close();
  }
  return (rl as unknown as { history: string[] }).history.slice();
}

/**
 * Runs the prompt until `quit`, `exit`, the end of input or a stop signal;
 * returns 0, or 128+N after signal N. Ctrl-C clears the line, or
 * interrupts a pending request, and stays at the prompt.
 */
export async function runInteractive(session: PromptSession, io: Io): Promise<number> {
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
  io.stderr(
    names.length > 0
      ? `Connected to ${label} (${session.dialect}): ${names.length} methods. Tab completes, "help" lists, "help METHOD" asks the server, "quit" leaves.\n`
      : `No answer from ${label} yet; type methods anyway, "reload" asks again.\n`,
  );
  history = await promptLines(io, {
    prompt: `${label}> `,
    history,
    interruptEcho: "^C\n",
    complete(line) {
      if (line.split(/\s+/).length > 1) return [[], line];
      const all = [...names, ...local];
      const hits = all.filter((n) => n.startsWith(line));
      return [hits.length > 0 ? hits : all, line];
    },
    async run(line, signal) {
      const words = splitWords(line.trim());
      if (words.length === 0) return true;
      const [command, ...args] = words;
      if (command === "quit" || command === "exit") return false;
      try {
        if (command === "help" && args.length === 0) {
          io.stdout(`${names.join("\n")}\n(quit, exit, reload: this prompt's own commands)\n`);
        } else if (command === "help" && session.help) {
          await session.help(args[0], signal);
        } else if (command === "reload") {
          names = await session.methods();
          io.stderr(`${names.length} methods\n`);
        } else {
          await session.exchange(command, args, signal);
        }
      } catch (error) {
        io.stderr(`midgram: ${error instanceof Error ? error.message : error}\n`);
      }
      return true;
    },
  });
  if (historyFile) {
    try {
      writeFileSync(historyFile, history.reverse().join("\n") + "\n", { mode: 0o600 });
    } catch {
      // A read-only home keeps no history.
    }
  }
  return stoppedStatus(io) ?? 0;
}
