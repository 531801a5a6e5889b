/**
 * The checks a client codec makes before it sends a request, for the
 * dialects that take parameters by position only and have a size limit
 * (binrpc, ctl's FIFO protocol).
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import type { Params, Value } from "./value.ts";

/**
 * The values of positional parameters.
 *
 * @throws {MidgramError} `unrepresentable` for named ones, saying `why` the dialect cannot carry them.
 */
export function positionalValues(method: string, params: Params, why: string): readonly Value[] {
  if (params.kind !== "positional") {
    throw new MidgramError(
      "unrepresentable",
      `Cannot send named parameters to "${method}": ${why}`,
    );
  }
  return params.values;
}

/**
 * The request itself when it is at most `max` bytes long.
 *
 * @throws {MidgramError} `request-too-large`, naming the request (`packet` or `request`) and its size.
 */
export function withinLimit(
  method: string,
  request: Uint8Array,
  max: number,
  what: string,
): Uint8Array {
  if (request.length > max) {
    throw new MidgramError(
      "request-too-large",
      `Cannot send "${method}": the ${what} of ${request.length} bytes is longer than ${max}`,
    );
  }
  return request;
}
