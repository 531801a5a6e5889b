import { type AnalyzeOptions, analyzeRequest } from "./analyze_request.ts";
import { RequestSyntaxError } from "./request_syntax_error.ts";
import type { MiRequest } from "./types.ts";

/**
 * Parses a request datagram into its command and arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRequest } from "./parse_request.ts";
 * const request = parseRequest(":cache_fetch:\nsystem\nkey::\"a b\"\n");
 * assert.equal(request.command, "cache_fetch");
 * assert.deepEqual(request.args.map((a) => [a.name, a.value]), [[null, "system"], ["key", "a b"]]);
 * ```
 *
 * @throws {RequestSyntaxError} with the first error's position and every error found.
 */
export function parseRequest(input: Uint8Array | string, options?: AnalyzeOptions): MiRequest {
  const analysis = analyzeRequest(input, options);
  if (analysis.request === null) throw new RequestSyntaxError(analysis.errors);
  return analysis.request;
}
