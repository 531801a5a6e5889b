/**
 * What a terminal may be sent: text with every character that a terminal
 * would obey instead of showing made visible, so that no reply, value or
 * message (a server's, or anyone's who can put a string into its data) can
 * set the window title, write the clipboard (OSC 52), hide text or move the
 * cursor.
 *
 * @module
 */

/**
 * The characters a terminal obeys: C0 controls but tab and newline, DEL, C1
 * controls (U+0080–U+009F), and lone UTF-16 surrogates (which no encoder can
 * write as they are).
 */
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\0-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `\u001b`: the form JSON gives the same character, so JSON on a terminal stays valid JSON. */
const codeUnit = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Strict UTF-8: throws on the first byte that is not part of a well-formed sequence. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Makes text safe to write to a terminal. Every C0 control but tab and
 * newline (ESC, BEL, CR, backspace, …), DEL and every C1 control is shown as
 * JSON writes it, `\u001b`; so is a lone surrogate. Bytes are read as UTF-8,
 * and each byte that is not part of a well-formed sequence is shown as
 * `\xff`. Everything else, any printable character in any script, is kept.
 * A backslash is kept as it is: `\u001b` on the screen is either an escaped
 * ESC or those six characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalSafe } from "./_terminal_safe.ts";
 * assert.equal(terminalSafe("a\x1b]52;c;aGk=\x07b\n"), "a\\u001b]52;c;aGk=\\u0007b\n");
 * assert.equal(terminalSafe(new Uint8Array([0x68, 0xc3, 0xa9, 0xff])), "hé\\xff");
 * ```
 *
 * @param text A string, or bytes that should be UTF-8.
 * @returns The text, with what a terminal would obey made visible.
 */
export function terminalSafe(text: string | Uint8Array): string {
  const decoded = typeof text === "string" ? text : utf8Visible(text);
  return decoded.replace(UNSAFE, codeUnit);
}

/** Decodes UTF-8, each byte of an ill-formed sequence shown as `\xNN`. */
function utf8Visible(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Ill-formed somewhere: decode the well-formed runs between the bad bytes.
  }
  let out = "";
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = wellFormedLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += strictUtf8.decode(bytes.subarray(start, i)) +
      `\\x${bytes[i].toString(16).padStart(2, "0")}`;
    start = ++i;
  }
  return out + strictUtf8.decode(bytes.subarray(start));
}

/**
 * The length of the well-formed UTF-8 sequence at `i` (Unicode's table 3-7:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
 */
function wellFormedLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) length = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    length = 3;
    if (b === 0xe0) low = 0xa0;
    if (b === 0xed) high = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    length = 4;
    if (b === 0xf0) low = 0x90;
    if (b === 0xf4) high = 0x8f;
  } else return 0;
  if (i + length > bytes.length) return 0;
  if (bytes[i + 1] < low || bytes[i + 1] > high) return 0;
  for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
  return length;
}
