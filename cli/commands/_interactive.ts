/**
 * Interactive mode of `midgram send`: `midgram send -s ADDR` with no command
 * on a terminal opens a prompt with history (kept in ~/.midgram_history) and
 * tab completion of the server's command names (asked with `:which:`), like
 * the shells of the servers' own tools (`opensipsctl`, `kamcmd`).
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sendRequest } from "../../lib/client/request.ts";
import { argumentFromText, formatRequest } from "../../lib/protocol/mi/format_request.ts";
import { formatAddress } from "../../lib/transport/address.ts";
import type { Address } from "../../lib/transport/types.ts";
import { serverCommands } from "../_completions.ts";
import type { Io } from "../io.ts";

/**
 * Splits a typed line into words: white space separates, '…' and "…" quote
 * (a backslash escapes the next character inside "…" and outside quotes).
 *
 * @example
 * ```ts
 * import { splitWords } from "./_interactive.ts";
 * splitWords(`cache_store local key "a value"`); // ["cache_store", "local", "key", "a value"]
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

/** Runs the prompt until `quit`, `exit` or end of input; returns 0. */
export async function runInteractive(
  address: Address,
  options: { timeoutMs: number; indent: string },
  io: Io,
): Promise<number> {
  const terminal = io.terminal!;
  const label = formatAddress(address);
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
  let names = await serverCommands(label, 1000);
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
      const all = [...names, ...local];
      const hits = all.filter((n) => n.startsWith(line));
      return [hits.length > 0 ? hits : all, line];
    },
  });
  io.stderr(
    names.length > 0
      ? `Connected to ${label}: ${names.length} commands. Tab completes, "help" lists, "quit" leaves.\n`
      : `No answer to :which: from ${label} yet; type commands anyway, "reload" asks again.\n`,
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
    if (command === "help") {
      io.stdout(`${names.join("\n")}\n(quit, exit, reload: this prompt's own commands)\n`);
    } else if (command === "reload") {
      names = await serverCommands(label, 1000);
      io.stderr(`${names.length} commands\n`);
    } else {
      try {
        const request = formatRequest(command, args.map(argumentFromText));
        const reply = await sendRequest(address, new TextEncoder().encode(request), options);
        io.stdout(reply.bytes);
        if (reply.error) io.stderr(`midgram: ${reply.error.message}\n`);
      } catch (error) {
        io.stderr(`midgram: ${error instanceof Error ? error.message : error}\n`);
      }
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
