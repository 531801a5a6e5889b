import { MidgramError } from "../../errors.ts";
import type { Diagnostic } from "./diagnostics.ts";

/**
 * A request that does not parse: a `MidgramError` of code `request-syntax`
 * with the line, column and offset of the first error; every error found is
 * in {@linkcode RequestSyntaxError.diagnostics}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRequest } from "./parse_request.ts";
 * import { RequestSyntaxError } from "./request_syntax_error.ts";
 * assert.throws(() => parseRequest(':set:\nna"me::x\n'), (e) => {
 *   assert.ok(e instanceof RequestSyntaxError);
 *   assert.deepEqual([e.line, e.column, e.diagnostic.code], [2, 3, "quote-in-name"]);
 *   assert.deepEqual([e.code, e.exitCode], ["request-syntax", 1]);
 *   return true;
 * });
 * ```
 */
export class RequestSyntaxError extends MidgramError {
  /** The error code of `lib/errors.ts`. */
  declare readonly code: "request-syntax";
  /** The first error. */
  readonly diagnostic: Diagnostic;
  /** Every error found. */
  readonly diagnostics: Diagnostic[];
  /** The first error's line, from 1. */
  readonly line: number;
  /** The first error's column, from 1, in code points. */
  readonly column: number;
  /** The first error's byte offset, from 0. */
  readonly offset: number;

  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    super(
      "request-syntax",
      `Cannot parse request at ${first.line}:${first.column}: ${first.message}`,
    );
    this.name = "RequestSyntaxError";
    this.diagnostic = first;
    this.diagnostics = diagnostics;
    this.line = first.line;
    this.column = first.column;
    this.offset = first.offset;
  }
}
