/**
 * Golden parse cases: a request file (`NAME.mi`) beside its expected result
 * (`NAME.json`) in both modes. Pure: callers read and write the files.
 *
 * @module
 */
import { analyzeRequest } from "../protocol/mi/analyze_request.ts";
import type { Diagnostic } from "../protocol/mi/diagnostics.ts";
import type { MiRequest, ParseMode } from "../protocol/mi/types.ts";

/** The expected result of one mode. */
export interface ModeResult {
  valid: boolean;
  request?: MiRequest;
  errors: { code: string; line: number; column: number; offset: number }[];
  warnings: { code: string; line: number; column: number; offset: number }[];
}

/** The expected result of a parse case, as stored in `NAME.json`. */
export interface ParseCaseResult {
  compat: ModeResult;
  strict: ModeResult;
}

const brief = (d: Diagnostic) => ({
  code: d.code,
  line: d.line,
  column: d.column,
  offset: d.offset,
});

function modeResult(bytes: Uint8Array, mode: ParseMode): ModeResult {
  const analysis = analyzeRequest(bytes, { mode });
  const result: ModeResult = {
    valid: analysis.request !== null,
    errors: analysis.errors.map(brief),
    warnings: analysis.warnings.map(brief),
  };
  if (analysis.request) result.request = analysis.request;
  return result;
}

/**
 * The result the current parser gives for a case's bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expectedParseResult } from "./parse_cases.ts";
 * assert.equal(expectedParseResult(new TextEncoder().encode(":version:\n")).compat.valid, true);
 * ```
 */
export function expectedParseResult(bytes: Uint8Array): ParseCaseResult {
  return { compat: modeResult(bytes, "compat"), strict: modeResult(bytes, "strict") };
}

/** The JSON text stored for a result (stable: two-space indent, final newline). */
export function resultJson(result: ParseCaseResult): string {
  return JSON.stringify(result, null, 2) + "\n";
}

/**
 * Makes invisible characters visible for diffs: `␊` for a newline (the line
 * still breaks after it), `␍`, `␉`, `␀`, `·` for a trailing space, `\xNN` for
 * other control characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { showInvisible } from "./parse_cases.ts";
 * assert.equal(showInvisible("a\r\n"), "a␍␊\n");
 * ```
 */
export function showInvisible(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x1f\x7f]/g, (c) => {
      switch (c) {
        case "\n":
          return "␊\n";
        case "\r":
          return "␍";
        case "\t":
          return "␉";
        case "\0":
          return "␀";
        default:
          return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
      }
    })
    // ␊ (U+240A) escaped: the single executable's bundle must stay ASCII (see the build).
    .replace(/ +(?=\u240A|$)/gm, (spaces) => "·".repeat(spaces.length))
    .replace(/\uFFFD/g, "\\uFFFD");
}

/**
 * A line diff of two texts: lines only in `expected` start with `-`, lines
 * only in `actual` with `+`, common lines with two spaces (a longest common
 * subsequence, fine for the short texts of golden files).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineDiff } from "./parse_cases.ts";
 * assert.equal(lineDiff("a\nb\n", "a\nc\n"), "  a\n- b\n+ c\n");
 * ```
 */
export function lineDiff(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  if (a.at(-1) === "" && b.at(-1) === "") {
    a.pop();
    b.pop();
  }
  const lcs: number[][] = Array.from(
    { length: a.length + 1 },
    () => new Array(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] > lcs[i + 1][j])) {
      out.push(`+ ${b[j++]}`);
    } else out.push(`- ${a[i++]}`);
  }
  return out.join("\n") + "\n";
}

/**
 * Compares a case's bytes against its stored expectation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareParseCase, expectedParseResult, resultJson } from "./parse_cases.ts";
 * const bytes = new TextEncoder().encode(":version:\n");
 * assert.equal(compareParseCase(bytes, resultJson(expectedParseResult(bytes))).ok, true);
 * ```
 *
 * @returns `ok`, the actual JSON text (to write with `--update`), and a diff when not ok.
 */
export function compareParseCase(
  bytes: Uint8Array,
  expectedJsonText: string,
): { ok: boolean; actualJsonText: string; diff: string } {
  const actualJsonText = resultJson(expectedParseResult(bytes));
  let expected: string;
  try {
    expected = resultJson(JSON.parse(expectedJsonText));
  } catch {
    expected = expectedJsonText;
  }
  const ok = expected === actualJsonText;
  return { ok, actualJsonText, diff: ok ? "" : lineDiff(expected, actualJsonText) };
}
