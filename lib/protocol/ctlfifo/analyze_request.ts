import { _unescape } from "./_escape.ts";
import { MAX_REQUEST, MIN_REQUEST } from "./limits.ts";
import { readCtlFifoRequest } from "./read_request.ts";

/** The codes of {@linkcode analyzeCtlFifoRequest}'s findings. */
export type CtlFifoDiagnosticCode =
  | "too-short"
  | "no-end"
  | "too-large"
  | "refused"
  | "trailing-bytes"
  | "bad-escape"
  | "carriage-return";

/** A finding, with its place (line and column from 1, offset from 0). */
export interface CtlFifoDiagnostic {
  code: CtlFifoDiagnosticCode;
  message: string;
  line: number;
  column: number;
  offset: number;
}

/** The call a valid file makes. */
export interface CtlFifoCallInfo {
  method: string;
  /** The reply FIFO named, or null (no reply over a FIFO). */
  replyName: string | null;
  /** The lines, unescaped; one with an escape ctl refuses as its bytes. */
  params: (string | Uint8Array)[];
}

/** What {@linkcode analyzeCtlFifoRequest} found. */
export interface CtlFifoAnalysis {
  /** What ctl refuses or never reads: the method does not run. */
  errors: CtlFifoDiagnostic[];
  /** What ctl accepts but may not be what was meant. */
  warnings: CtlFifoDiagnostic[];
  call?: CtlFifoCallInfo;
}

function place(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * Judges a request file of ctl's FIFO protocol as Kamailio 5.6 would read
 * it. Errors: fewer than 6 bytes or no empty line (ctl waits for more, and a
 * datagram gets no reply), over 65535 bytes (ctl drops a stream), a first
 * line ctl refuses (it answers a bare `200 OK` on a socket and nothing on a
 * FIFO). Warnings: bytes after the request (the next request on a FIFO or
 * TCP, ignored in a datagram), a parameter with an escape ctl refuses (a
 * `500` when the method reads it, unless optional), a carriage return in the first line
 * (part of the reply FIFO's name: ctl ends lines at LF only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeCtlFifoRequest } from "./analyze_request.ts";
 * const r = analyzeCtlFifoRequest(new TextEncoder().encode("core.version\n\n"));
 * assert.equal(r.errors[0].code, "refused");
 * ```
 */
export function analyzeCtlFifoRequest(bytes: Uint8Array): CtlFifoAnalysis {
  const errors: CtlFifoDiagnostic[] = [];
  const warnings: CtlFifoDiagnostic[] = [];
  const at = (
    list: CtlFifoDiagnostic[],
    code: CtlFifoDiagnosticCode,
    offset: number,
    message: string,
  ) => list.push({ code, message, offset, ...place(bytes, offset) });
  if (bytes.length > MAX_REQUEST) {
    at(
      errors,
      "too-large",
      MAX_REQUEST,
      `The request is ${bytes.length} bytes: ctl reads at most ${MAX_REQUEST}`,
    );
    return { errors, warnings };
  }
  if (bytes.length < MIN_REQUEST) {
    at(
      errors,
      "too-short",
      0,
      `The request is ${bytes.length} bytes: ctl waits for at least ${MIN_REQUEST}`,
    );
    return { errors, warnings };
  }
  const request = readCtlFifoRequest(bytes);
  if (request.kind === "incomplete") {
    at(
      errors,
      "no-end",
      bytes.length,
      "No empty line ends the request: ctl waits for one (a datagram gets no reply)",
    );
    return { errors, warnings };
  }
  if (request.length < bytes.length) {
    at(
      warnings,
      "trailing-bytes",
      request.length,
      "Bytes after the request's empty line: ctl reads them as the next request (FIFO, TCP) or ignores them (UDP)",
    );
  }
  if (request.kind === "refused") {
    at(
      errors,
      "refused",
      0,
      `ctl refuses the first line (${request.why}): it answers 200 OK and runs nothing`,
    );
    return { errors, warnings };
  }
  const firstEnd = bytes.indexOf(0x0a);
  const cr = bytes.subarray(0, firstEnd).indexOf(0x0d);
  if (cr >= 0) {
    at(
      warnings,
      "carriage-return",
      cr,
      "A carriage return in the first line: ctl ends lines at LF only, so it is part of the reply name",
    );
  }
  // The raw lines again, to place the escapes ctl refuses.
  let offset = firstEnd + 1;
  const decoder = new TextDecoder();
  while (offset < request.length - 1) {
    let end = bytes.indexOf(0x0a, offset);
    if (end < 0 || end > request.length - 1) end = request.length - 1;
    const line = decoder.decode(bytes.subarray(offset, end));
    if (_unescape(line) === undefined) {
      at(
        warnings,
        "bad-escape",
        offset,
        `The parameter "${line}" holds an escape ctl refuses (it knows \\\\ \\n \\r \\t \\0 \\c \\o): reading it fails (500 Internal Server Error unless optional)`,
      );
    }
    offset = end + 1;
  }
  return {
    errors,
    warnings,
    call: { method: request.method, replyName: request.replyName, params: request.params },
  };
}
