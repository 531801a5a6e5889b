import { _unescape } from "./_escape.ts";
import { findRequestEnd } from "./frame.ts";
import { MIN_REQUEST } from "./limits.ts";
import { _linesOf } from "./_lines.ts";

/** A request of ctl's FIFO protocol as {@linkcode readCtlFifoRequest} reads it. */
export type CtlFifoRequest =
  /** Fewer than 6 bytes, or no empty line yet: ctl waits (a datagram gets no reply). */
  | { kind: "incomplete" }
  /** A first line ctl refuses before any method runs. */
  | {
    kind: "refused";
    /** Bytes taken, the final line end included. */
    length: number;
    /** ctl's own log message. */
    why: string;
    /** The reply FIFO named, when ctl had read it (never for a refused first line). */
    replyName: null;
  }
  | {
    kind: "call";
    length: number;
    /** The method, as a C string (to the second `:` or a NUL). */
    method: string;
    /** The reply FIFO's bare name, or null when the first line names none. */
    replyName: string | null;
    /**
     * The parameter lines, unescaped; a line with an escape ctl refuses is
     * kept as its bytes (ctl cannot read it as a string, only as a number).
     */
    params: (string | Uint8Array)[];
    /**
     * The lines ctl's reader finds after them, to the end of the bytes given
     * (the empty line, then what follows it): a method asking for more
     * parameters than were sent reads these.
     */
    after: (string | Uint8Array)[];
  };

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const COLON = 0x3a;

/**
 * Reads the first request in `bytes` as Kamailio 5.6's ctl does: text lines,
 * the first `:METHOD:REPLY_NAME`, then one parameter per line, up to the
 * first empty line ({@linkcode findRequestEnd}). The first line is refused
 * (`refused`, which ctl answers `200 OK` on a socket and not at all over a
 * FIFO) when it is empty, shorter than 3 bytes, does not start with `:`, has
 * no second `:`, names no method, or names a reply FIFO holding `.`, `/` or
 * `\`. The line is read as a C string: it ends at a NUL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCtlFifoRequest } from "./read_request.ts";
 * const r = readCtlFifoRequest(new TextEncoder().encode(":core.echo:reply\na\\tb\n\n"));
 * assert.deepEqual(r, {
 *   kind: "call", length: 23, method: "core.echo", replyName: "reply", params: ["a\tb"], after: [""],
 * });
 * ```
 */
export function readCtlFifoRequest(bytes: Uint8Array): CtlFifoRequest {
  const head = readFirstLine(bytes);
  if (head.kind !== "call") return head;
  const { length, request, eol } = head;
  const lines = _linesOf(eol < request.length ? request.subarray(eol + 1) : new Uint8Array(0));
  const first = bytes.indexOf(0x0a);
  const all = _linesOf(first < 0 ? new Uint8Array(0) : bytes.subarray(first + 1));
  const read = (l: string) => _unescape(l) ?? encoder.encode(l);
  return {
    kind: "call",
    length,
    method: head.method,
    replyName: head.replyName,
    params: lines.map(read),
    after: all.slice(lines.length).map(read),
  };
}

/** What the first line of a whole request says, or why there is none to read. */
type FirstLine =
  | Exclude<CtlFifoRequest, { kind: "call" }>
  | {
    kind: "call";
    length: number;
    /** The request, its final line end left out. */
    request: Uint8Array;
    /** Where the first line ends in `request`. */
    eol: number;
    method: string;
    replyName: string | null;
  };

/**
 * The whole request's length and what its first line says, as ctl reads
 * it: all that decides whether ctl refuses a request and where it replies.
 */
function readFirstLine(bytes: Uint8Array): FirstLine {
  if (bytes.length < MIN_REQUEST) return { kind: "incomplete" };
  const length = findRequestEnd(bytes);
  if (length < 0) return { kind: "incomplete" };
  // ctl's request is everything before the final line end.
  const request = bytes.subarray(0, length - 1);
  let eol = request.indexOf(0x0a);
  if (eol < 0) eol = request.length;
  const refused = (why: string): FirstLine => ({ kind: "refused", length, why, replyName: null });
  if (eol === 0) return refused("Empty command received");
  if (eol < 3) return refused("Command must have at least 3 chars");
  if (request[0] !== COLON) return refused("Command must begin with :");
  const nul = request.subarray(0, eol).indexOf(0);
  const line = request.subarray(0, nul < 0 ? eol : nul);
  const sep = line.indexOf(COLON, 1);
  if (sep < 0) return refused("File separator missing");
  if (sep === 1) return refused("Empty command");
  const method = decoder.decode(line.subarray(1, sep));
  const name = decoder.decode(line.subarray(sep + 1));
  if (/[./\\]/.test(name)) return refused(`Forbidden filename: ${name}`);
  return { kind: "call", length, request, eol, method, replyName: name === "" ? null : name };
}

/**
 * The reply FIFO a request names, as ctl reads it: the bare name after the
 * second `:` of the first line, or null (no name, a refused first line, or
 * no whole request).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ctlFifoReplyName } from "./read_request.ts";
 * assert.equal(ctlFifoReplyName(new TextEncoder().encode(":core.version:r1\n\n")), "r1");
 * ```
 */
export function ctlFifoReplyName(bytes: Uint8Array): string | null {
  const r = readFirstLine(bytes);
  return r.kind === "call" ? r.replyName : null;
}
