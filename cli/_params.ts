/**
 * Command-line words to request parameters, per dialect: kamcmd's typing for
 * binrpc, opensips-cli's JSON typing for JSON-RPC, argument lines for text MI.
 *
 * @module
 */
import { MidgramError } from "../lib/errors.ts";
import type { DialectName } from "../lib/protocol/dialect.ts";
import { Double, Members, type Params, paramsFromJson, type Value } from "../lib/protocol/value.ts";
import { kamcmdArgument } from "../lib/protocol/binrpc/kamcmd_argument.ts";

const NAMED = /^([A-Za-z_][\w.-]*)=(.*)$/s;

/** OpenSIPS commands whose one parameter is a list, as opensips-cli knows them. */
const LIST_COMMANDS: Record<string, string> = {
  get_statistics: "statistics",
  list_statistics: "statistics",
  reset_statistics: "statistics",
};

/**
 * A JSON-RPC parameter from a word: `s:TEXT` is always the string TEXT;
 * otherwise a number, `true`, `false`, `null`, a JSON list or object when the
 * word is one, else the word as a string.
 */
export function jsonWord(word: string): Value {
  if (word.startsWith("s:")) return word.slice(2);
  const t = word.trim();
  if (t !== "" && /^(-?\d|true$|false$|null$|\[|\{)/.test(t)) {
    try {
      return JSON.parse(t) as Value;
    } catch {
      // Not JSON after all: a string.
    }
  }
  return word;
}

/** A binrpc parameter from a word: kamcmd's typing, plus `d:` for a double that looks whole. */
export function binrpcWord(word: string): Value {
  if (word.startsWith("d:")) {
    const n = Number(word.slice(2));
    if (word.length > 2 && Number.isFinite(n)) return new Double(n);
    throw new MidgramError("usage", `Cannot read "${word}" as a double`);
  }
  return kamcmdArgument(word);
}

/**
 * The parameters of a call from its words, or from `--params JSON`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paramsFromWords } from "./_params.ts";
 * assert.equal(paramsFromWords("jsonrpc", "cache_fetch", ["system=local", "attr=k"]).kind, "named");
 * ```
 */
export function paramsFromWords(
  dialect: DialectName,
  method: string,
  words: readonly string[],
  json?: string,
): Params {
  if (json !== undefined) {
    if (words.length > 0) {
      throw new MidgramError("usage", "Give parameters either as words or with --params, not both");
    }
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new MidgramError("usage", `Cannot parse --params: ${(error as Error).message}`);
    }
    const params = paramsFromJson(value);
    if (params === null) throw new MidgramError("usage", "--params takes a JSON list or object");
    if (params.kind === "named" && dialect === "binrpc") {
      throw new MidgramError("usage", "binrpc takes positional parameters: give --params a list");
    }
    return params;
  }
  if (dialect === "binrpc") return { kind: "positional", values: words.map(binrpcWord) };
  // ctl's FIFO protocol: every parameter is a line of text, sent as written.
  if (dialect === "ctlfifo") return { kind: "positional", values: [...words] };
  const named = words.map((w) => NAMED.exec(w));
  const count = named.filter((m) => m !== null && !words[named.indexOf(m)].startsWith("s:")).length;
  if (count > 0 && count < words.length) {
    throw new MidgramError(
      "usage",
      "Give every parameter as name=value, or none (use s:TEXT for a value that holds '=')",
    );
  }
  if (count > 0) {
    return { kind: "named", values: new Members(named.map((m) => [m![1], jsonWord(m![2])])) };
  }
  const values = words.map(jsonWord);
  const list = LIST_COMMANDS[method];
  if (list && values.length > 0 && !Array.isArray(values[0])) {
    return { kind: "positional", values: [values] };
  }
  return { kind: "positional", values };
}
