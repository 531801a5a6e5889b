import { MidgramError } from "../../errors.ts";
import type { Value } from "../value.ts";
import { _T_ARRAY, _T_BYTES, _T_DOUBLE, _T_INT, _T_STR, _T_STRUCT } from "./_constants.ts";
import { type _Cursor, _cursor, _readRecord, type _Record } from "./_record.ts";
import { _writeValues } from "./_write.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";

/** Options of {@linkcode formatKamcmd}. */
export interface FormatKamcmdOptions {
  /**
   * A format as given to `kamcmd -f` (its `\n`, `\r`, `\t` and `\\` escapes
   * are resolved first, as kamcmd does), or null for the default output.
   */
  format?: string | null;
  /** The values are a fault's (code and message): print `error: CODE - MESSAGE`. */
  fault?: boolean;
}

const decoder = new TextDecoder();

/** kamcmd's `str_escape()`: `\n`, `\r`, `\t`, `\\`; any other backslash stays. */
function unescape(format: string): string {
  return format.replace(
    /\\([nrt\\])/g,
    (_, c: string) => c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : "\\",
  );
}

/** kamcmd's `parse_fmt()`: the text before the next `%v` (a `%%` prints one `%`). */
function parseFmt(fmt: string, at: number): { next: number; value: boolean; text: string } {
  const s = at;
  for (let i = at; i < fmt.length; i++) {
    if (fmt[i] !== "%") continue;
    if (fmt[i + 1] === "v") return { next: i + 2, value: true, text: fmt.slice(s, i) };
    if (fmt[i + 1] === "%") return { next: i + 2, value: false, text: fmt.slice(s, i + 1) };
  }
  return { next: fmt.length, value: false, text: fmt.slice(s) };
}

/** printf `%.*s`: the bytes up to the first NUL. */
function cString(data: Uint8Array): string {
  const nul = data.indexOf(0);
  return decoder.decode(nul === -1 ? data : data.subarray(0, nul));
}

/** kamcmd's `print_binrpc_val()`. */
function printValue(r: _Record, ident: number): string {
  if (r.type === _T_STRUCT && !r.end) ident--; // a struct start is indented one less
  let out = "\t".repeat(Math.max(ident, 0));
  if (r.name !== null) out += `${cString(r.name)}: `;
  switch (r.type) {
    case _T_INT:
      return out + String(r.int);
    case _T_STR:
    case _T_BYTES:
      return out + cString(r.data);
    case _T_ARRAY:
      return out + (r.end ? "]" : "[");
    case _T_STRUCT:
      return out + (r.end ? "}" : "{");
    case _T_DOUBLE: {
      const f = Number(r.big) / 1000;
      return out + (Number.isInteger(f) ? BigInt(f).toString() : f.toFixed(6));
    }
  }
  return out;
}

/**
 * What kamcmd 5.6 prints on stdout for a reply, byte for byte. `reply` is
 * the reply body as received, or values (written first as ctl writes them,
 * so arrays print as structs, as they do from a real Kamailio).
 *
 * Default output: one line per record; int `%d`; str and bytes raw (up to a
 * NUL); a double as an integer when whole, else `%f` (six decimals); a struct
 * prints `{`, its members `name: value` indented by one TAB per depth, then
 * `}` (a struct of plain values — ctl's array — prints its values the same
 * way); an array record prints `[` indented by one TAB more than its depth,
 * then `]`. An empty reply prints nothing.
 *
 * With `format`: each `%v` takes the next record (`{` and `}` marks
 * included, members as `name: value`, no indentation); when the format is
 * used up it starts again for the records left; after the last record the
 * rest of the format is printed with empty values (an empty reply prints the
 * whole format once); `%%` prints `%` (so `%%v` prints `%v`). A `%` followed
 * by anything else makes kamcmd loop forever: this throws `MidgramError`
 * (`usage`) instead. With `fault`, the values are a fault's code and
 * message and print as `error: CODE - MESSAGE`. Malformed bytes throw
 * {@linkcode BinRpcSyntaxError} (kamcmd prints an error on stderr).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatKamcmd } from "./format_kamcmd.ts";
 * import { Members } from "../value.ts";
 * assert.equal(formatKamcmd([new Members([["a", 1]]), "x"]), "{\n\ta: 1\n}\nx\n");
 * assert.equal(formatKamcmd([1, "a", 2, "b"], { format: "%v\\t%v\\n" }), "1\ta\n2\tb\n");
 * assert.equal(formatKamcmd([500, "oops"], { fault: true }), "error: 500 - oops\n");
 * ```
 */
export function formatKamcmd(
  reply: readonly Value[] | Uint8Array,
  options: FormatKamcmdOptions = {},
): string {
  const body = reply instanceof Uint8Array ? reply : _writeValues(reply);
  const fmt = options.fault
    ? "%v - %v\n"
    : options.format == null
    ? null
    : unescape(options.format);
  if (fmt !== null && fmt.replace(/%[v%]/g, "").includes("%")) {
    throw new MidgramError(
      "usage",
      `Cannot use format "${options.format}": kamcmd loops forever on a "%" not followed by "v" or "%"`,
    );
  }
  let out = options.fault ? "error: " : "";
  const c = _cursor(body, true);
  let f = 0;
  let hasValues = false;
  let rec = 0;
  while (c.pos < c.end) {
    if (fmt !== null) {
      do {
        if (f === fmt.length) f = 0;
        const part = parseFmt(fmt, f);
        f = part.next;
        out += part.text;
        if (part.value) {
          hasValues = true;
          break;
        }
      } while (f < fmt.length || hasValues);
    }
    let r: _Record;
    try {
      r = _readRecord(c);
    } catch (e) {
      if (!(e instanceof BinRpcSyntaxError)) throw e;
      throw new BinRpcSyntaxError(`record ${rec}: ${e.detail}`, e.offset, {
        truncated: e.truncated,
      });
    }
    rec++;
    out += fmt !== null ? printValue(r, 0) : `${printValue(r, c.inStruct + c.inArray)}\n`;
  }
  if (fmt !== null) {
    while (f < fmt.length) {
      const part = parseFmt(fmt, f);
      f = part.next;
      out += part.text;
    }
  }
  return out;
}
