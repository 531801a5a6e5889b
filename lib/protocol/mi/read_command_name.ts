/**
 * Reads the command name from a request's first line, as the real servers'
 * `identify_command` does: the datagram starts with `:`, the name runs to the
 * next `:` (a NUL byte ends the search), and that `:` is followed at once by
 * `\n`. The name itself is not checked here: an empty or odd name is simply
 * not found in any command registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCommandName } from "./read_command_name.ts";
 * assert.deepEqual(readCommandName(new TextEncoder().encode(":version:\n")), { command: "version", bodyOffset: 10 });
 * assert.equal(readCommandName(new TextEncoder().encode(":version:\r\n")), null);
 * ```
 *
 * @returns The command and the offset where the arguments start, or `null`
 *   when the first line is bad (the real server answers `500 command not available`).
 */
export function readCommandName(input: Uint8Array): { command: string; bodyOffset: number } | null {
  if (input.length === 0 || input[0] !== 0x3a) return null;
  let p = 1;
  while (p < input.length && input[p] !== 0x3a) {
    if (input[p] === 0) return null;
    p++;
  }
  if (p >= input.length || input[p + 1] !== 0x0a) return null;
  return { command: new TextDecoder().decode(input.subarray(1, p)), bodyOffset: p + 2 };
}
