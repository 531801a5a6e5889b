/**
 * Diagnostics of the request parser: every code, what it means, and whether
 * it is always an error, a deviation from the documented grammar (a warning in
 * `compat` mode, an error in `strict` mode), or a lint warning.
 *
 * @module
 */

/** How a diagnostic code is judged. */
export type DiagnosticKind =
  /** The real server rejects the request: an error in both modes. */
  | "error"
  /** The real server accepts it, the documented grammar does not: warning in compat, error in strict. */
  | "deviation"
  /** Valid but risky: a warning in both modes. */
  | "lint";

/** Every diagnostic code, with its kind and a one-line description (shown in the README). */
export const DIAGNOSTIC_CODES = {
  "empty-request": ["error", "the datagram is empty (the real server sends no reply at all)"],
  "missing-leading-colon": ["error", "the first line does not start with ':'"],
  "unterminated-command": ["error", "no ':' ends the command name"],
  "missing-newline-after-command": [
    "error",
    "the ':' after the command name is not followed by '\\n'",
  ],
  "cr-in-first-line": [
    "error",
    "the first line ends in CR LF: the real server wants ':command:\\n'",
  ],
  "empty-command": ["error", "the command name is empty"],
  "invalid-command-name": ["error", "the command name holds white space or control characters"],
  "quote-in-name": ["error", "a '\"' inside an argument name"],
  "quote-in-value": ["error", "a '\"' inside an unquoted value"],
  "empty-argument": [
    "error",
    "an argument line that is only '::' (empty name and empty value): OpenSIPS 2.4 answers 400 parse_error",
  ],
  "unterminated-quoted-value": ["error", "no closing '\"' for a quoted value"],
  "text-after-closing-quote": ["error", "something other than white space after a closing quote"],
  "request-too-large": ["error", "the request is over the 65457-byte limit"],
  "blank-line": ["deviation", "a blank line (skipped by the real parser)"],
  "leading-whitespace": [
    "deviation",
    "white space before an argument (skipped by the real parser)",
  ],
  "trailing-whitespace": ["deviation", "white space at the end of a name or value (trimmed)"],
  "whitespace-after-separator": ["deviation", "white space between '::' and the value (skipped)"],
  "cr-at-end-of-line": ["deviation", "a CR before the line's '\\n' (trimmed by the real parser)"],
  "cr-in-text": ["deviation", "a CR inside an unquoted name or value"],
  "missing-final-newline": ["deviation", "the last argument does not end with '\\n'"],
  "empty-quoted-value": [
    "deviation",
    "'\"' right after an opening quote is taken as content, not as an empty value",
  ],
  "escaped-quote-after-opening-quote": [
    "deviation",
    "'\\\"' right after an opening quote is not an escape: the value ends there",
  ],
  "nul-ends-arguments": [
    "deviation",
    "a NUL byte right after the first line: every argument is ignored",
  ],
  "nul-byte": ["lint", "a NUL byte inside the request (C code may cut the value there)"],
  "invalid-utf8": ["lint", "bytes that are not UTF-8 (shown as U+FFFD in the parsed tree)"],
  "near-size-limit": ["lint", "the request is within 10% of the 65457-byte limit"],
  "too-many-diagnostics": ["lint", "more problems than are listed (only the first 100 are kept)"],
} as const satisfies Record<string, readonly [DiagnosticKind, string]>;

/** A diagnostic code (kebab-case, stable: tools may match on it). */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** One problem found in a request. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: "error" | "warning";
  message: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, in Unicode code points. */
  column: number;
  /** 0-based byte offset. */
  offset: number;
}

/**
 * The kind of a diagnostic code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagnosticKind } from "./diagnostics.ts";
 * assert.equal(diagnosticKind("blank-line"), "deviation");
 * ```
 */
export function diagnosticKind(code: DiagnosticCode): DiagnosticKind {
  return DIAGNOSTIC_CODES[code][0];
}
