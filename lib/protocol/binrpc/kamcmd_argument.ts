import { Double, type Value } from "../value.ts";

// C's isspace() in the C locale, which strtol() and strtod() skip first.
const SPACE = "[ \\t\\n\\v\\f\\r]*";
const STRTOL = new RegExp(`^${SPACE}([+-]?[0-9]+)$`);
const DEC = "(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?";
const HEX = "0[xX](?:[0-9a-fA-F]+(?:\\.[0-9a-fA-F]*)?|\\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?";
const STRTOD = new RegExp(
  `^${SPACE}([+-]?)(?:(${DEC})|(${HEX})|(inf(?:inity)?)|(nan(?:\\([0-9a-zA-Z_]*\\))?))$`,
  "i",
);

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

function hexFloat(text: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(text)!;
  const digits = (m[1] ?? "") + (m[2] ?? "");
  let value = 0;
  for (const d of digits) value = value * 16 + parseInt(d, 16);
  return value * 2 ** (Number(m[3] ?? 0) - 4 * (m[2] ?? "").length);
}

/**
 * Types one command-line argument exactly as kamcmd 5.6 does (`parse_arg()`):
 * an integer when `strtol(text, 10)` reads it wholly (leading white space and
 * a sign allowed, base 10 only: `010` is 10, `0x10` is not an integer; the
 * empty string is 0), cut to 32 bits as C's `int` cast does after `strtol`
 * saturates at ±2⁶³; else a {@linkcode Double} when `strtod()` reads it
 * wholly (`1e3`, `.5`, `1.`, `0x10` = 16, `0x1p3`, `inf`, `nan`); else a
 * string, with a leading `s:` removed (`s:7` is the string `7`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kamcmdArgument } from "./kamcmd_argument.ts";
 * import { Double } from "../value.ts";
 * assert.equal(kamcmdArgument("010"), 10);
 * assert.equal(kamcmdArgument(""), 0);
 * assert.deepEqual(kamcmdArgument("0x10"), new Double(16));
 * assert.equal(kamcmdArgument("s:7"), "7");
 * assert.equal(kamcmdArgument("2147483648"), -2147483648);
 * ```
 */
export function kamcmdArgument(text: string): Value {
  if (text === "") return 0;
  const int = STRTOL.exec(text);
  if (int) {
    let long = BigInt(int[1]);
    if (long > LONG_MAX) long = LONG_MAX;
    if (long < LONG_MIN) long = LONG_MIN;
    return Number(BigInt.asIntN(32, long));
  }
  const d = STRTOD.exec(text);
  if (d) {
    const sign = d[1] === "-" ? -1 : 1;
    const magnitude = d[2] !== undefined
      ? Number(d[2])
      : d[3] !== undefined
      ? hexFloat(d[3])
      : d[4] !== undefined
      ? Infinity
      : NaN;
    return new Double(sign * magnitude);
  }
  return text.startsWith("s:") ? text.slice(2) : text;
}
