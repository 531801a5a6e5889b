import { MidgramError } from "../../errors.ts";
import { MAX_DATAGRAM_SIZE } from "./limits.ts";
import type { MiArgument } from "./types.ts";

// C isspace in the C locale.
const EDGE_SPACE = /^[ \t\n\v\f\r]|[ \t\n\v\f\r]$/;

function refuse(what: string, why: string): never {
  throw new MidgramError("unrepresentable", `Cannot write ${what}: ${why}`);
}

/** Writes one value, quoted only when it must be; `null` when it cannot be written at all. */
function writeValue(value: string, named: boolean, what: string): string {
  if (value.includes("\0")) refuse(what, "it holds a NUL byte, which the servers' C code cuts at");
  const mustQuote = value.includes('"') || value.includes("\n") || value.includes("\r") ||
    EDGE_SPACE.test(value) || (!named && value.includes("::"));
  if (!mustQuote) {
    if (value === "" && !named) refuse(what, "an empty value with no name is read as a blank line");
    return value;
  }
  if (value === "") refuse(what, "an empty value with no name is read as a blank line");
  if (value.startsWith('"')) {
    refuse(what, "a value that starts with '\"' cannot be quoted: the real parser ends it early");
  }
  if (value.endsWith("\\")) {
    refuse(
      what,
      "a value that must be quoted cannot end with '\\': it would escape the closing quote",
    );
  }
  return `"${value.replaceAll('"', '\\"')}"`;
}

/**
 * Writes a request datagram: `:command:\n` and one argument per line,
 * quoting and escaping a value only when it must be, so that the result is
 * valid in strict mode and parses back to the same arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRequest } from "./format_request.ts";
 * assert.equal(
 *   formatRequest("cache_store", [{ name: null, value: "system" }, { name: "key", value: "a b " }]),
 *   ':cache_store:\nsystem\nkey::"a b "\n',
 * );
 * ```
 *
 * @throws {MidgramError} `unrepresentable` (naming the argument and why) for what the
 *   protocol cannot carry; `request-too-large` over 65457 bytes.
 */
export function formatRequest(command: string, args: readonly MiArgument[]): string {
  if (command === "") refuse("the command", "the name is empty");
  if ([...command].some((c) => c <= " " || c === "\x7f" || c === ":")) {
    refuse(
      `command ${JSON.stringify(command)}`,
      "a name cannot hold ':', white space or control characters",
    );
  }
  const lines = [`:${command}:\n`];
  args.forEach((arg, i) => {
    const what = `argument ${i + 1}`;
    const { name, value } = arg;
    if (name === null) {
      if (value === null) refuse(what, "it has neither a name nor a value");
      lines.push(writeValue(value, false, what), "\n");
      return;
    }
    if (name.includes('"')) refuse(what, "a name cannot hold '\"'");
    if (name.includes("::")) refuse(what, "a name cannot hold '::'");
    if (name.endsWith(":")) {
      refuse(what, "a name cannot end with ':' (it would join the separator)");
    }
    if (name.includes("\n") || name.includes("\r")) refuse(what, "a name cannot hold a line break");
    if (name.includes("\0")) refuse(what, "a name cannot hold a NUL byte");
    if (EDGE_SPACE.test(name)) refuse(what, "a name cannot start or end with white space");
    if (name === "" && (value === null || value === "")) {
      refuse(what, "'::' alone (empty name and value) is a parse error to the real server");
    }
    lines.push(
      name,
      "::",
      value === null || value === "" ? "" : writeValue(value, true, what),
      "\n",
    );
  });
  const text = lines.join("");
  const size = new TextEncoder().encode(text).length;
  if (size > MAX_DATAGRAM_SIZE) {
    throw new MidgramError(
      "request-too-large",
      `Cannot write the request: ${size} bytes, the limit is ${MAX_DATAGRAM_SIZE}`,
    );
  }
  return text;
}

/**
 * Reads one argument as written on the command line: `name::value` gives a
 * name and a value (split at the first `::`), anything else a bare value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { argumentFromText } from "./format_request.ts";
 * assert.deepEqual(argumentFromText("key::a b"), { name: "key", value: "a b" });
 * assert.deepEqual(argumentFromText("dialog:"), { name: null, value: "dialog:" });
 * ```
 */
export function argumentFromText(text: string): MiArgument {
  const at = text.indexOf("::");
  return at < 0
    ? { name: null, value: text }
    : { name: text.slice(0, at), value: text.slice(at + 2) };
}
