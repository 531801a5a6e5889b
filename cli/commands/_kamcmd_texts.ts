/**
 * kamcmd 5.6's fixed texts (Debian's build, `version: kamcmd 1.5`), printed
 * byte for byte by `midgram kamcmd`, and its hex dump of `-vvv`.
 *
 * @module
 */

/** kamcmd's name and version, as its banners print them. */
export const KAMCMD_NAME_VERSION = "kamcmd 1.5";

/** `kamcmd -h` after its version line. */
export const KAMCMD_HELP =
  "Usage: kamcmd [options][-s address] [ cmd ]\nOptions:\n    -s address  unix socket name or host name to send the commands on\n    -R name     force reply socket name, for the unix datagram socket mode\n    -D dir      create the reply socket in the directory <dir> if no reply \n                socket is forced (-R) and a unix datagram socket is selected\n                as the transport\n    -f format   print the result using format. Format is a string containing\n                %v at the places where values read from the reply should be\n                substituted. To print '%v', escape it using '%': %%v.\n    -v          Verbose       \n    -V          Version number\n    -h          This help message\naddress:\n    [proto:]name[:port]   where proto is one of tcp, udp, unixs or unixd\n                          e.g.:  tcp:localhost:2049 , unixs:/tmp/kamailio_ctl\ncmd:\n    method  [arg1 [arg2...]]\narg:\n     string or number; to force a number to be interpreted as string \n     prefix it by \"s:\", e.g. s:1\nExamples:\n        kamcmd -s unixs:/tmp/kamcmd_ctl system.listMethods\n        kamcmd -f \"pid: %v  desc: %v\\n\" -s udp:localhost:2047 core.ps \n        kamcmd ps  # uses default ctl socket \n        kamcmd     # enters interactive mode on the default socket \n        kamcmd -s tcp:localhost # interactive mode, default port \n";

/** The banner of the interactive mode. */
export const KAMCMD_BANNER = "kamcmd 1.5\nCopyright 2006 iptelorg GmbH\n" +
  "This is free software with ABSOLUTELY NO WARRANTY.\nFor details type `warranty'.\n";

/** What `warranty` and `license` print. */
export const KAMCMD_WARRANTY = "kamcmd 1.5\nCopyright 2006 iptelorg GmbH\n\n" +
  "    This program is free software; you can redistribute it and/or modify\n    it under the terms of the GNU General Public License as published by\n    the Free Software Foundation; either version 2 of the License , or\n    (at your option) any later version.\n\n    This program is distributed in the hope that it will be useful,\n    but WITHOUT ANY WARRANTY; without even the implied warranty of\n    MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\n    GNU General Public License for more details.\n\n    You should have received a copy of the GNU General Public License\n    along with this program. If not, write to\n\n       The Free Software Foundation, Inc.\n       51 Franklin Street, Fifth Floor,\n       Boston, MA 02110-1301, USA.\n";

/** C's isprint() in the C locale. */
function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
}

/**
 * kamcmd's `hexdump(buf, len, 1)`: 16 bytes a line, each `%02x `, then a space
 * and the bytes as text (the text of a last full line is left out, as kamcmd does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kamcmdHexdump } from "./_kamcmd_texts.ts";
 * assert.equal(kamcmdHexdump(Uint8Array.from([0x61, 0x00])), "61 00" + " ".repeat(44) + "a.\n");
 * ```
 */
export function kamcmdHexdump(buf: Uint8Array): string {
  let out = "";
  let r = 0;
  for (; r < buf.length; r++) {
    if (r > 0 && r % 16 === 0) {
      out += " " + Array.from(buf.subarray(r - 16, r), printable).join("") + "\n";
    }
    out += buf[r].toString(16).padStart(2, "0") + " ";
  }
  for (let i = r; i % 16 !== 0; i++) out += "   ";
  out += " " + Array.from(buf.subarray(16 * Math.floor(r / 16), r), printable).join("");
  return out + "\n";
}
