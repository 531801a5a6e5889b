/**
 * glibc's `getopt()` as kamcmd calls it (short options only, `opterr = 0`),
 * so `midgram kamcmd` reads its command line exactly as kamcmd does.
 *
 * @module
 */

/** One event of the scan, in the order getopt returns them. */
export type GetoptEvent =
  | { kind: "option"; option: string; argument?: string }
  /** An unknown option, or one missing its argument (kamcmd's optstring has no leading `:`). */
  | { kind: "unknown"; option: string };

/** What the scan found: the options in order, then the operands (method and arguments). */
export interface GetoptResult {
  events: GetoptEvent[];
  operands: string[];
}

/**
 * Scans `argv` (without the program name) as glibc's `getopt(argc, argv,
 * optstring)`: options cluster (`-vs ADDR`), an option's argument follows
 * it in the same word (`-sADDR`) or is the next word, `--` ends the
 * options, a lone `-` is an operand. Like glibc, operands are permuted to
 * the end, so options after the method still count (`kamcmd core.echo -5`
 * is an unknown option `-5`); with `POSIXLY_CORRECT` set or an optstring
 * starting with `+`, the scan stops at the first operand. The scan stops at
 * the first unknown option, as kamcmd does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getopt } from "./_kamcmd_getopt.ts";
 * const r = getopt(["-vsudp:h:1", "core.ps", "-v"], "UVhs:D:R:vf:");
 * assert.deepEqual(r.events.map((e) => e.option), ["v", "s", "v"]);
 * assert.deepEqual(r.operands, ["core.ps"]);
 * ```
 */
export function getopt(
  argv: readonly string[],
  optstring: string,
  options: { posixlyCorrect?: boolean } = {},
): GetoptResult {
  const posix = options.posixlyCorrect === true || optstring.startsWith("+");
  const spec = optstring.replace(/^[+-]/, "");
  const events: GetoptEvent[] = [];
  const operands: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      i++;
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      if (posix) break;
      operands.push(word);
      continue;
    }
    // A cluster of options: each character in turn (by code point, as bytes are for ASCII).
    const chars = Array.from(word.slice(1));
    for (let c = 0; c < chars.length; c++) {
      const option = chars[c];
      const at = option === ":" ? -1 : spec.indexOf(option);
      if (at < 0) {
        events.push({ kind: "unknown", option });
        return { events, operands };
      }
      if (spec[at + 1] !== ":") {
        events.push({ kind: "option", option });
        continue;
      }
      const rest = chars.slice(c + 1).join("");
      if (rest !== "") {
        events.push({ kind: "option", option, argument: rest });
      } else if (i + 1 < argv.length) {
        events.push({ kind: "option", option, argument: argv[++i] });
      } else {
        events.push({ kind: "unknown", option });
        return { events, operands };
      }
      break;
    }
  }
  operands.push(...argv.slice(i));
  return { events, operands };
}
