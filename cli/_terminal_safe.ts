/**
 * What a terminal may be sent: text with every character that a terminal
 * would obey instead of showing made visible, so that no reply, value or
 * message (a server's, or anyone's who can put a string into its data) can
 * set the window title, write the clipboard (OSC 52), hide text or move the
 * cursor.
 *
 * @module
 */
import { invalidUtf8Offset } from "../lib/bytes.ts";

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
  let out = "";
  let start = 0;
  // Each bad byte shown, the well-formed run before it decoded, from the next byte on.
  for (let bad; (bad = invalidUtf8Offset(bytes, start, bytes.length)) >= 0; start = bad + 1) {
    out += strictUtf8.decode(bytes.subarray(start, bad)) +
      `\\x${bytes[bad].toString(16).padStart(2, "0")}`;
  }
  return out + strictUtf8.decode(bytes.subarray(start));
}
