import { readJson } from "./_cjson.ts";
import { replyNameProblem } from "./_fifo_names.ts";

/** One request found in what the FIFO gave. */
export interface OpensipsFifoRequest {
  /** The reply FIFO's name; `null` for `::` (run, no reply). */
  replyName: string | null;
  /** The JSON text of the request (the first complete value after the name). */
  json: Uint8Array;
}

/** What {@linkcode readOpensipsFifoRequests} found. */
export interface OpensipsFifoRead {
  requests: OpensipsFifoRequest[];
  /** Bytes kept for the next read (an incomplete `:name:` header). */
  rest: Uint8Array;
  /**
   * Why the remaining bytes were dropped without a reply (no leading `:`,
   * a refused name, JSON that does not parse), or `null`.
   */
  dropped: string | null;
}

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Splits what the server read from its FIFO into requests, as OpenSIPS 3.6
 * `mi_fifo` does: white space before `:` skipped, `:NAME:` then the JSON
 * request, which ends after its first complete value (the bytes after it
 * start the next request), names with `.`, `/` or `\` refused with no
 * reply, and everything after a bad header dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readOpensipsFifoRequests } from "./read_opensips_fifo_requests.ts";
 * const r = readOpensipsFifoRequests(new TextEncoder().encode(':a:{"id":1}\n:b:{"id":2}\n'));
 * assert.deepEqual(r.requests.map((q) => q.replyName), ["a", "b"]);
 * ```
 */
export function readOpensipsFifoRequests(bytes: Uint8Array): OpensipsFifoRead {
  const requests: OpensipsFifoRequest[] = [];
  let p = 0;
  const done = (rest: Uint8Array, dropped: string | null): OpensipsFifoRead => ({
    requests,
    rest,
    dropped,
  });
  while (true) {
    while (p < bytes.length && isWs(bytes[p])) p++;
    const left = bytes.length - p;
    if (left === 0) return done(new Uint8Array(0), null);
    if (left < 3) return done(bytes.slice(p), null);
    if (bytes[p] !== 0x3a) return done(new Uint8Array(0), "the request does not start with ':'");
    const sep = bytes.indexOf(0x3a, p + 1);
    if (sep < 0 || sep + 1 >= bytes.length) return done(bytes.slice(p), null);
    const name = new TextDecoder().decode(bytes.subarray(p + 1, sep));
    if (name !== "" && /[./\\]/.test(name)) {
      return done(
        new Uint8Array(0),
        `the reply name "${name}" is refused: ${replyNameProblem(name)}`,
      );
    }
    const body = bytes.subarray(sep + 1);
    const read = readJson(body, "opensips");
    if (!read.ok) {
      return done(new Uint8Array(0), `the request does not parse: ${read.error.message}`);
    }
    requests.push({
      replyName: name === "" ? null : name,
      json: body.slice(read.node.start, read.end),
    });
    p = sep + 1 + read.end;
  }
}
