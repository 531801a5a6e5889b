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

/**
 * Undoes the escapes of a parameter line as ctl reads them (`\c` → `:`,
 * `\o` → `,`). Returns `undefined` for an unknown escape or a final lone
 * backslash, which ctl refuses.
 */
export function _unescape(line: string): string | undefined {
  if (!line.includes("\\")) return line;
  let out = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = line[++i];
    switch (next) {
      case "\\":
        out += "\\";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "0":
        out += "\0";
        break;
      case "c":
        out += ":";
        break;
      case "o":
        out += ",";
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** Whether a byte is a line end as ctl finds a request's end (CR or LF). */
export function _isEol(byte: number): boolean {
  return byte === 0x0a || byte === 0x0d;
}
