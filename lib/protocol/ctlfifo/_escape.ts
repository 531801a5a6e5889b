/**
 * The escapes of ctl's FIFO protocol. Parameters may escape `\\`, `\n`,
 * `\r`, `\t` and NUL (`\\`, `\n`, `\r`, `\t`, `\0`); ctl also reads `\c`
 * as `:` and `\o` as `,` (struct delimiters). In replies it escapes the same
 * five, and in struct members also `:` as `\o` and `,` as `\c` — the
 * letters swapped against what it reads, as Kamailio 5.6 does.
 *
 * @module
 */

/** How `:` and `,` are escaped inside a struct (a reply writes them one way, a request the other). */
export interface StructEscapes {
  colon: string;
  comma: string;
}

/** ctl's reply writer: `:` as `\o`, `,` as `\c`. */
export const REPLY_STRUCT: StructEscapes = { colon: "\\o", comma: "\\c" };
/** ctl's request reader: `\c` is `:`, `\o` is `,`. */
export const REQUEST_STRUCT: StructEscapes = { colon: "\\c", comma: "\\o" };

/**
 * Escapes a line as ctl's FIFO protocol does: newline, CR, tab, backslash
 * and NUL always; `:` and `,` only inside a struct (`struct`), as given.
 */
export function _escape(text: string, struct: StructEscapes | null): string {
  let out = "";
  for (const ch of text) {
    switch (ch) {
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\0":
        out += "\\0";
        break;
      case ":":
        out += struct ? struct.colon : ch;
        break;
      case ",":
        out += struct ? struct.comma : ch;
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** What each escape letter stands for, with the struct delimiters of one direction. */
function unescapes(struct: StructEscapes): ReadonlyMap<string, string> {
  return new Map([
    ["\\", "\\"],
    ["n", "\n"],
    ["r", "\r"],
    ["t", "\t"],
    ["0", "\0"],
    [struct.colon[1], ":"],
    [struct.comma[1], ","],
  ]);
}

const UNESCAPES = new Map<StructEscapes, ReadonlyMap<string, string>>([
  [REQUEST_STRUCT, unescapes(REQUEST_STRUCT)],
  [REPLY_STRUCT, unescapes(REPLY_STRUCT)],
]);

/**
 * Undoes ctl's escapes in a line: by default a parameter line as ctl reads
 * it (`\c` → `:`, `\o` → `,`), returning `undefined` for an unknown escape
 * or a final lone backslash, which ctl refuses. With {@linkcode REPLY_STRUCT}
 * and `keepUnknown`, a struct member of a reply (`\o` → `:`, `\c` → `,`),
 * where an unknown escape is kept as it is.
 */
export function _unescape(
  line: string,
  struct: StructEscapes = REQUEST_STRUCT,
  keepUnknown = false,
): string | undefined {
  if (!line.includes("\\")) return line;
  const table = UNESCAPES.get(struct) ?? unescapes(struct);
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const plain = i + 1 < line.length ? table.get(line[i + 1]) : undefined;
    if (plain !== undefined) {
      out += plain;
      i++;
    } else if (keepUnknown) out += ch;
    else return undefined;
  }
  return out;
}

/** Whether a byte is a line end as ctl finds a request's end (CR or LF). */
export function _isEol(byte: number): boolean {
  return byte === 0x0a || byte === 0x0d;
}
