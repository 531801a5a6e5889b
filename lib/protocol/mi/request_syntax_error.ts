import type { Diagnostic } from "./diagnostics.ts";

/**
 * A request that does not parse. A `SyntaxError` with the position of the
 * first error; every error found is in {@linkcode RequestSyntaxError.diagnostics}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRequest } from "./parse_request.ts";
 * import { RequestSyntaxError } from "./request_syntax_error.ts";
 * assert.throws(() => parseRequest(':set:\nna"me::x\n'), (e) => {
 *   assert.ok(e instanceof RequestSyntaxError);
 *   assert.deepEqual([e.line, e.column, e.diagnostic.code], [2, 3, "quote-in-name"]);
 *   return true;
 * });
 * ```
 */
export class RequestSyntaxError extends SyntaxError {
  /** The error code of lib/errors.ts. */
  readonly code = "request-syntax" as const;
  /** The first error. */
  readonly diagnostic: Diagnostic;
  /** Every error found. */
  readonly diagnostics: Diagnostic[];
  readonly line: number;
  readonly column: number;
  readonly offset: number;

  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    super(`Cannot parse request at ${first.line}:${first.column}: ${first.message}`);
    this.name = "RequestSyntaxError";
    this.diagnostic = first;
    this.diagnostics = diagnostics;
    this.line = first.line;
    this.column = first.column;
    this.offset = first.offset;
  }
}
