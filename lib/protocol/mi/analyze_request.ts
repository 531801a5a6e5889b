import { type Diagnostic, type DiagnosticCode, diagnosticKind } from "./diagnostics.ts";
import { MAX_DATAGRAM_SIZE, NEAR_LIMIT_SIZE } from "./limits.ts";
import type { MiArgument, MiRequest, ParseMode } from "./types.ts";
import { readCommandName } from "./read_command_name.ts";
import { invalidUtf8Offset } from "../../bytes.ts";
import { positionAt } from "../_bytes.ts";

/** Everything `analyzeRequest` found out about a request. */
export interface RequestAnalysis {
  /** The parsed request; `null` exactly when there are errors. */
  request: MiRequest | null;
  /** Problems that make the request invalid in the chosen mode. */
  errors: Diagnostic[];
  /** Problems that do not (lint, and in compat mode the deviations from the grammar). */
  warnings: Diagnostic[];
  /**
   * The first line is bad: the real server answers `500 command not available`
   * rather than `400 parse_error`.
   */
  firstLineError: boolean;
  /** The request's size in bytes. */
  size: number;
}

/** Options of {@linkcode analyzeRequest}. */
export interface AnalyzeOptions {
  /** `compat` (default): as OpenSIPS 2.4 / Kamailio; `strict`: the documented grammar. */
  mode?: ParseMode;
  /** The command takes no input: the arguments are not parsed at all, as the real servers do. */
  noInput?: boolean;
}

const MAX_DIAGNOSTICS = 100;

// C `isspace` in the C locale: space, \t, \n, \v, \f, \r.
const SPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) SPACE[c] = 1;

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COLON = 0x3a;
const BACKSLASH = 0x5c;

const MESSAGES: Record<DiagnosticCode, string> = {
  "empty-request": "empty request: the real server sends no reply",
  "missing-leading-colon": "the first line must start with ':'",
  "unterminated-command": "no ':' after the command name",
  "missing-newline-after-command": "expected a newline right after the command's closing ':'",
  "cr-in-first-line":
    "CR before the first line's newline: the real server rejects ':command:\\r\\n'",
  "empty-command": "empty command name",
  "invalid-command-name": "the command name holds white space or control characters",
  "quote-in-name": "'\"' inside an argument name",
  "quote-in-value": "'\"' inside an unquoted value: quote the whole value",
  "unterminated-quoted-value": "unterminated quoted value",
  "text-after-closing-quote": "only white space may follow a closing quote on its line",
  "request-too-large": "request too large",
  "blank-line": "blank line: the real parser skips it, the grammar has no empty argument",
  "leading-whitespace": "white space before the argument is skipped",
  "trailing-whitespace": "trailing white space is trimmed",
  "whitespace-after-separator": "white space after '::' is skipped",
  "cr-at-end-of-line": "CR at the end of the line is trimmed",
  "cr-in-text": "CR inside an unquoted name or value",
  "missing-final-newline": "the last argument has no final newline",
  "empty-argument": "'::' alone: an argument needs a name or a value",
  "empty-quoted-value":
    "'\"\"' is not an empty value to the real parser: the second quote is content",
  "escaped-quote-after-opening-quote":
    "'\\\"' right after the opening quote is not an escape to the real parser: the value ends there",
  "nul-ends-arguments":
    "a NUL byte right after the first line makes the real server ignore every argument",
  "nul-byte": "NUL byte: C code reading the value may stop there",
  "invalid-utf8": "bytes that are not UTF-8 (decoded as U+FFFD here)",
  "near-size-limit": "request close to the size limit",
  "too-many-diagnostics": "too many problems: only the first 100 are listed",
};

const utf8 = new TextDecoder("utf-8");

/** Collects diagnostics; deviations become errors in strict mode. */
class Collector {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  private dropped = false;

  private readonly bytes: Uint8Array;
  private readonly strict: boolean;

  constructor(bytes: Uint8Array, strict: boolean) {
    this.bytes = bytes;
    this.strict = strict;
  }

  add(code: DiagnosticCode, offset: number, detail?: string): void {
    const kind = diagnosticKind(code);
    const isError = kind === "error" || (kind === "deviation" && this.strict);
    const list = isError ? this.errors : this.warnings;
    if (list.length >= MAX_DIAGNOSTICS) {
      if (!this.dropped) {
        this.dropped = true;
        this.warnings.push(this.make("too-many-diagnostics", offset, "warning"));
      }
      return;
    }
    list.push(this.make(code, offset, isError ? "error" : "warning", detail));
  }

  private make(
    code: DiagnosticCode,
    offset: number,
    severity: "error" | "warning",
    detail?: string,
  ): Diagnostic {
    const { line, column } = positionAt(this.bytes, offset);
    const message = detail ? `${MESSAGES[code]}: ${detail}` : MESSAGES[code];
    return { code, severity, message, line, column, offset };
  }
}

/**
 * Parses the arguments that follow the first line, exactly as the C parser of
 * `mi_datagram` (`mi_datagram_parse_node` / `mi_datagram_parse_tree`) does,
 * noting every deviation from the documented grammar on the way. After an
 * error it resumes on the next line, so one pass reports every problem.
 */
function parseArguments(bytes: Uint8Array, start: number, out: Collector): MiArgument[] {
  const end = bytes.length;
  const args: MiArgument[] = [];
  // parse_tree: an empty body, or one whose first byte is NUL, has no arguments.
  if (start >= end) return args;
  if (bytes[start] === 0) {
    out.add("nul-ends-arguments", start);
    return args;
  }
  let pos = start;
  let endedWithNewline = true;
  while (true) {
    // Leading white space, blank lines included, is skipped before each node.
    let s = pos;
    let lineStart = pos;
    let blankReported = false;
    while (s < end && SPACE[bytes[s]]) {
      if (bytes[s] === NL) {
        if (!blankReported) out.add("blank-line", lineStart);
        blankReported = true;
        lineStart = s + 1;
      }
      s++;
    }
    if (s === end) {
      if (s > lineStart) out.add("trailing-whitespace", lineStart);
      if (!endedWithNewline) out.add("missing-final-newline", end);
      return args;
    }
    if (s > lineStart) out.add("leading-whitespace", lineStart);
    const node = bytes[s] === QUOTE
      ? parseQuoted(bytes, s, s, null, out)
      : parseUnquotedLine(bytes, s, out);
    if (node.arg) args.push(node.arg);
    pos = node.next;
    endedWithNewline = node.newline;
    if (!node.arg) {
      // Error: resume after the end of this line.
      while (pos < end && bytes[pos] !== NL) pos++;
      if (pos < end) pos++;
      endedWithNewline = true;
    }
  }
}

interface NodeResult {
  arg: MiArgument | null;
  /** Where the next node's scan starts (after the line's newline). */
  next: number;
  /** The node's line ended with a newline (false at the end of the datagram). */
  newline: boolean;
}

/** Reports trailing white space in `[from, to)` (a CR right before `\n` has its own code). */
function trailing(bytes: Uint8Array, from: number, to: number, out: Collector): void {
  if (from >= to) return;
  if (to - from === 1 && bytes[from] === CR && to < bytes.length && bytes[to] === NL) {
    out.add("cr-at-end-of-line", from);
  } else out.add("trailing-whitespace", from);
}

function decode(bytes: Uint8Array, from: number, to: number): string {
  return utf8.decode(bytes.subarray(from, to));
}

/**
 * A line that is only `::` (empty name, empty unquoted value): OpenSIPS 2.4.11
 * answers `400 parse_error` (observed on the real server), although `::value`
 * and `name::` are accepted.
 */
function emptyArgument(s: number, lineEnd: number, out: Collector): NodeResult {
  out.add("empty-argument", s);
  return { arg: null, next: lineEnd, newline: false };
}

/** A line that does not start with a quote: `name::value`, `name::"quoted"`, `name::` or `value`. */
function parseUnquotedLine(bytes: Uint8Array, s: number, out: Collector): NodeResult {
  const end = bytes.length;
  let p = s;
  let mark = s; // last non-space byte
  let quoteAt = -1;
  let pendingCR = -1; // a CR is inside the text once a non-space byte follows it
  while (p < end && bytes[p] !== NL) {
    const c = bytes[p];
    if (c === COLON && p + 1 < end && bytes[p + 1] === COLON) break;
    if (!SPACE[c]) {
      if (c === QUOTE && quoteAt < 0) quoteAt = p;
      if (pendingCR >= 0) out.add("cr-in-text", pendingCR);
      pendingCR = -1;
      mark = p;
    } else if (c === CR && pendingCR < 0) pendingCR = p;
    p++;
  }
  const separator = p < end && bytes[p] === COLON;
  if (quoteAt >= 0) {
    out.add(separator ? "quote-in-name" : "quote-in-value", quoteAt);
    return { arg: null, next: p, newline: false };
  }
  if (!separator) {
    trailing(bytes, mark + 1, p, out);
    const newline = p < end;
    return {
      arg: { name: null, value: decode(bytes, s, mark + 1) },
      next: newline ? p + 1 : p,
      newline,
    };
  }
  // Name: before the separator, trailing white space trimmed (an empty name for `::value`).
  const name = p === s ? "" : decode(bytes, s, mark + 1);
  if (p > s) trailing(bytes, mark + 1, p, out);
  let q = p + 2;
  const valueSpaceStart = q;
  while (q < end && SPACE[bytes[q]]) {
    if (bytes[q] === NL) {
      trailing(bytes, valueSpaceStart, q, out);
      if (name === "") return emptyArgument(s, q, out);
      return { arg: { name, value: "" }, next: q + 1, newline: true };
    }
    q++;
  }
  if (q === end) {
    // A final `name::` with no newline: an empty value (PROTOCOL §7).
    trailing(bytes, valueSpaceStart, q, out);
    if (name === "") return emptyArgument(s, q, out);
    return { arg: { name, value: "" }, next: q, newline: false };
  }
  if (q > valueSpaceStart) out.add("whitespace-after-separator", valueSpaceStart);
  if (bytes[q] === QUOTE) return parseQuoted(bytes, s, q, name, out);
  let r = q;
  let vmark = q;
  let pendingValueCR = -1;
  while (r < end && bytes[r] !== NL) {
    const c = bytes[r];
    if (!SPACE[c]) {
      if (c === QUOTE) {
        out.add("quote-in-value", r);
        return { arg: null, next: r, newline: false };
      }
      if (pendingValueCR >= 0) out.add("cr-in-text", pendingValueCR);
      pendingValueCR = -1;
      vmark = r;
    } else if (c === CR && pendingValueCR < 0) pendingValueCR = r;
    r++;
  }
  trailing(bytes, vmark + 1, r, out);
  const newline = r < end;
  return { arg: { name, value: decode(bytes, q, vmark + 1) }, next: newline ? r + 1 : r, newline };
}

/**
 * A quoted value opening at `q`: it runs to the next `"` not preceded by `\`;
 * each `\"` becomes `"`. Two quirks of the C code are kept: a `"` right after
 * the opening quote is content (so `""` is not empty), and a `\"` right after
 * the opening quote is not an escape.
 */
function parseQuoted(
  bytes: Uint8Array,
  _lineStart: number,
  q: number,
  name: string | null,
  out: Collector,
): NodeResult {
  const end = bytes.length;
  const cs = q + 1;
  const pieces: string[] = [];
  let segment = cs;
  let p = cs;
  while (p < end) {
    if (bytes[p] !== QUOTE) {
      p++;
      continue;
    }
    if (p === cs) {
      out.add("empty-quoted-value", p);
      p++;
      continue;
    }
    if (p !== cs + 1 && bytes[p - 1] === BACKSLASH) {
      pieces.push(decode(bytes, segment, p - 1));
      segment = p;
      p++;
      continue;
    }
    if (p === cs + 1 && bytes[cs] === BACKSLASH) out.add("escaped-quote-after-opening-quote", cs);
    pieces.push(decode(bytes, segment, p));
    const value = pieces.join("");
    let r = p + 1;
    while (r < end && SPACE[bytes[r]] && bytes[r] !== NL) r++;
    if (r < end && bytes[r] !== NL) {
      out.add("text-after-closing-quote", r);
      return { arg: null, next: r, newline: false };
    }
    trailing(bytes, p + 1, r, out);
    const newline = r < end;
    return { arg: { name, value }, next: newline ? r + 1 : r, newline };
  }
  out.add("unterminated-quoted-value", q);
  return { arg: null, next: end, newline: false };
}

/**
 * Analyzes one request datagram: parses it as the chosen mode says, and
 * collects every error and warning with its position.
 *
 * Works on bytes, as the servers do; names and values are decoded from UTF-8
 * (invalid bytes become U+FFFD, with an `invalid-utf8` warning: such a
 * request cannot be reproduced exactly from the parsed tree).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeRequest } from "./analyze_request.ts";
 * const { request, warnings } = analyzeRequest(":get_statistics:\ndialog:\ntm:\n");
 * assert.equal(request?.command, "get_statistics");
 * assert.deepEqual(request?.args.map((a) => a.value), ["dialog:", "tm:"]);
 * assert.deepEqual(warnings, []);
 * ```
 *
 * @param input The request's bytes (a string is encoded as UTF-8).
 * @param options The mode, and whether the command takes no input.
 * @returns The analysis; never throws for any input.
 */
export function analyzeRequest(
  input: Uint8Array | string,
  options: AnalyzeOptions = {},
): RequestAnalysis {
  let bytes: Uint8Array;
  if (typeof input === "string") bytes = new TextEncoder().encode(input);
  else if (input instanceof Uint8Array) bytes = input;
  else throw new TypeError("analyzeRequest() takes a Uint8Array or a string");
  const mode = options.mode ?? "compat";
  if (mode !== "compat" && mode !== "strict") {
    throw new TypeError(`analyzeRequest(): unknown mode ${JSON.stringify(mode)}`);
  }
  const out = new Collector(bytes, mode === "strict");
  const size = bytes.length;
  if (size > MAX_DATAGRAM_SIZE) {
    out.add(
      "request-too-large",
      MAX_DATAGRAM_SIZE,
      `${size} bytes, the limit is ${MAX_DATAGRAM_SIZE}`,
    );
  } else if (size > NEAR_LIMIT_SIZE) {
    out.add("near-size-limit", 0, `${size} of ${MAX_DATAGRAM_SIZE} bytes`);
  }
  if (size === 0) {
    out.add("empty-request", 0);
    return {
      request: null,
      errors: out.errors,
      warnings: out.warnings,
      firstLineError: true,
      size,
    };
  }
  const first = readCommandName(bytes);
  let firstLineError = false;
  let command = "";
  let bodyOffset = -1;
  if (first === null) {
    firstLineError = true;
    reportFirstLine(bytes, out);
  } else {
    command = first.command;
    bodyOffset = first.bodyOffset;
    if (command === "") {
      firstLineError = true;
      out.add("empty-command", 1);
    } else {
      const bad = firstBadCommandByte(bytes, 1, bodyOffset - 2);
      if (bad >= 0) {
        firstLineError = true;
        out.add("invalid-command-name", bad, JSON.stringify(command));
      }
    }
  }
  let args: MiArgument[] = [];
  if (bodyOffset >= 0 && !options.noInput) {
    args = parseArguments(bytes, bodyOffset, out);
    // NUL bytes the arguments carry (a NUL first in the body has its own code).
    for (let i = bodyOffset + 1; i < size; i++) {
      if (bytes[i] === 0) {
        out.add("nul-byte", i);
        break;
      }
    }
  }
  const scanEnd = options.noInput && bodyOffset >= 0 ? bodyOffset : size;
  const badUtf8 = invalidUtf8Offset(bytes, 0, scanEnd);
  if (badUtf8 >= 0) out.add("invalid-utf8", badUtf8);
  const request = out.errors.length === 0 ? { command, args } : null;
  return { request, errors: out.errors, warnings: out.warnings, firstLineError, size };
}

function firstBadCommandByte(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (bytes[i] <= 0x20 || bytes[i] === 0x7f) return i;
  return -1;
}

/** Explains why `readCommandName` refused the first line. */
function reportFirstLine(bytes: Uint8Array, out: Collector): void {
  if (bytes[0] !== COLON) {
    out.add("missing-leading-colon", 0);
    return;
  }
  let p = 1;
  while (p < bytes.length && bytes[p] !== COLON && bytes[p] !== 0) p++;
  if (p >= bytes.length || bytes[p] === 0) {
    out.add("unterminated-command", p);
    return;
  }
  if (bytes[p + 1] === CR) out.add("cr-in-first-line", p + 1);
  else out.add("missing-newline-after-command", p + 1);
}
