import { type ErrorCode, MidgramError } from "../../errors.ts";
import { _isEol } from "./_escape.ts";
import { MAX_REQUEST, MIN_REQUEST } from "./limits.ts";

/**
 * Where the first request in `buffer` ends, as ctl finds it: at the first
 * two line-end bytes in a row (`\n\n`, but also `\r\n`, `\n\r` or `\r\r`),
 * counted from the second byte. Returns the length of the request with its
 * final line end, or -1 when there is no end yet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findRequestEnd } from "./frame.ts";
 * assert.equal(findRequestEnd(new TextEncoder().encode(":core.version:\n\nrest")), 16);
 * ```
 */
export function findRequestEnd(buffer: Uint8Array): number {
  for (let r = 1; r < buffer.length; r++) {
    if (_isEol(buffer[r]) && _isEol(buffer[r - 1])) return r + 1;
  }
  return -1;
}

/**
 * For stream transports: the length of the first whole request at the start
 * of `buffer`, or 0 when more bytes are needed (ctl waits for at least 6
 * bytes and for the end of the request).
 *
 * @throws {MidgramError} `code` (default `request-syntax`) when 65535 bytes
 *   hold no end: ctl's buffer is full and it drops the connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameCtlFifo } from "./frame.ts";
 * assert.equal(frameCtlFifo(new TextEncoder().encode(":core.version:\n")), 0);
 * assert.equal(frameCtlFifo(new TextEncoder().encode(":core.version:\n\n")), 16);
 * ```
 */
export function frameCtlFifo(
  buffer: Uint8Array,
  options: { code?: ErrorCode } = {},
): number {
  if (buffer.length < MIN_REQUEST) return 0;
  const end = findRequestEnd(buffer.subarray(0, MAX_REQUEST));
  if (end > 0) return end;
  if (buffer.length >= MAX_REQUEST) {
    throw new MidgramError(
      options.code ?? "request-syntax",
      `Cannot read ctlfifo request: no empty line within ${MAX_REQUEST} bytes`,
    );
  }
  return 0;
}
