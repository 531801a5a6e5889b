import { readJson } from "./_cjson.ts";
import { maxReplyNameBytes, servedReplyNameProblem } from "./_fifo_names.ts";

/** One request found in what the FIFO gave. */
export interface OpensipsFifoRequest {
  /** The reply FIFO's name; `null` for `::` (run, no reply). */
  replyName: string | null;
  /** The JSON text of the request (the first complete value after the name). */
  json: Uint8Array;
}

/** Options of {@linkcode readOpensipsFifoRequests}. */
export interface OpensipsFifoReadOptions {
  /** The server's reply directory: it bounds the length of a reply name. Default `/tmp`. */
  replyDir?: string;
  /**
   * The bytes continue a header dropped for its length (the `skip` of the
   * previous read): they are skipped up to the first `:`, where the next
   * request starts.
   */
  skip?: boolean;
}

/** What {@linkcode readOpensipsFifoRequests} found. */
export interface OpensipsFifoRead {
  requests: OpensipsFifoRequest[];
  /**
   * Bytes kept for the next read: an incomplete `:name:` header, never more
   * than the longest name the reply directory allows and its two `:`.
   */
  rest: Uint8Array;
  /**
   * Why bytes were dropped without a reply (no leading `:`, a refused or
   * too long name, JSON that does not parse), or `null`.
   */
  dropped: string | null;
  /** A header too long to be valid has not ended yet: give `skip` with the next bytes. */
  skip: boolean;
}

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Splits what the server read from its FIFO into requests, as OpenSIPS 3.6
 * `mi_fifo` does: white space before `:` skipped, `:NAME:` then the JSON
 * request, which ends after its first complete value (the bytes after it
 * start the next request); a name the server refuses (with `.`, `/`, `\`,
 * or a control character) gets no reply, and everything after it is
 * dropped, as is everything after bytes that are not a request.
 *
 * A name longer than the reply directory allows (the server's path holds
 * 127 bytes) is dropped as soon as it is that long, with the bytes up to
 * the next `:` (a header has no other `:`), where the next request starts:
 * what is kept between reads stays that small, and a stream of bytes with
 * no second `:` costs nothing but the time to look at it once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readOpensipsFifoRequests } from "./read_opensips_fifo_requests.ts";
 * const r = readOpensipsFifoRequests(new TextEncoder().encode(':a:{"id":1}\n:b:{"id":2}\n'));
 * assert.deepEqual(r.requests.map((q) => q.replyName), ["a", "b"]);
 * ```
 */
export function readOpensipsFifoRequests(
  bytes: Uint8Array,
  options: OpensipsFifoReadOptions = {},
): OpensipsFifoRead {
  const replyDir = options.replyDir ?? "/tmp";
  const maxName = Math.max(maxReplyNameBytes(replyDir), 0);
  const requests: OpensipsFifoRequest[] = [];
  let dropped: string | null = null;
  const done = (rest: Uint8Array, why: string | null, skip = false): OpensipsFifoRead => ({
    requests,
    rest,
    dropped: dropped ?? why,
    skip,
  });
  let p = 0;
  if (options.skip) {
    p = bytes.indexOf(0x3a);
    if (p < 0) return done(new Uint8Array(0), null, true);
  }
  while (true) {
    while (p < bytes.length && isWs(bytes[p])) p++;
    const left = bytes.length - p;
    if (left === 0) return done(new Uint8Array(0), null);
    if (left < 3) return done(bytes.slice(p), null);
    if (bytes[p] !== 0x3a) return done(new Uint8Array(0), "the request does not start with ':'");
    const sep = bytes.indexOf(0x3a, p + 1);
    if ((sep < 0 ? bytes.length : sep) - (p + 1) > maxName) {
      dropped ??= `the reply name is over ${maxName} bytes, the longest the reply directory leaves`;
      if (sep < 0) return done(new Uint8Array(0), null, true);
      p = sep;
      continue;
    }
    if (sep < 0 || sep + 1 >= bytes.length) return done(bytes.slice(p), null);
    const name = new TextDecoder().decode(bytes.subarray(p + 1, sep));
    const problem = name === "" ? null : servedReplyNameProblem(name, replyDir);
    if (problem !== null) {
      return done(new Uint8Array(0), `the reply name "${name}" is refused: ${problem}`);
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
