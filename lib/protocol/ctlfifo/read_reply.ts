import { MidgramError } from "../../errors.ts";
import { Members } from "../value.ts";
import { _unescape, REPLY_STRUCT } from "./_escape.ts";
import { _linesOf } from "./_lines.ts";

/** A reply of ctl's FIFO protocol. */
export interface CtlFifoReply {
  /** The status code of the first line (200 for success). */
  code: number;
  /** The reason phrase after it (`OK`, `Command 'x' not found`). */
  reason: string;
  /** The lines after the status line, as written (escapes kept: a struct line cannot be told from a string). */
  lines: string[];
}

const decoder = new TextDecoder();

/**
 * Reads a reply: a status line `CODE REASON`, then one value per line. The
 * last line may lack its line end (ctl writes `rpl_printf` values without
 * one). Bytes are decoded as UTF-8 and kept otherwise as sent.
 *
 * @throws {MidgramError} `truncated-reply` for an empty reply or a status
 *   line without its end; `reply-syntax` when the first line is not
 *   `CODE REASON`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCtlFifoReply } from "./read_reply.ts";
 * const reply = readCtlFifoReply(new TextEncoder().encode("200 OK\nkamailio 5.6.3\n"));
 * assert.deepEqual(reply, { code: 200, reason: "OK", lines: ["kamailio 5.6.3"] });
 * ```
 */
export function readCtlFifoReply(bytes: Uint8Array): CtlFifoReply {
  const eol = bytes.indexOf(0x0a);
  if (eol < 0) {
    throw new MidgramError(
      "truncated-reply",
      bytes.length === 0
        ? "Cannot read ctlfifo reply: it is empty"
        : `Cannot read ctlfifo reply: the status line has no end after ${bytes.length} bytes`,
    );
  }
  const status = decoder.decode(bytes.subarray(0, eol));
  const m = /^(\d{1,9}) (.*)$/s.exec(status);
  if (!m) {
    throw new MidgramError(
      "reply-syntax",
      `Cannot read ctlfifo reply: the first line ${
        JSON.stringify(status.slice(0, 60))
      } is not "CODE REASON"`,
    );
  }
  const lines = _linesOf(bytes.subarray(eol + 1));
  return { code: Number(m[1]), reason: m[2], lines };
}

/** Undoes ctl's escapes in a struct member's name or value (`\o` is `:`, `\c` is `,`). */
function unescapeMember(text: string): string {
  return _unescape(text, REPLY_STRUCT, true)!;
}

/**
 * Reads a reply line as a struct, as ctl writes one: `name:value` pairs
 * joined by `,`, with `:` and `,` inside names and values escaped (`\o`,
 * `\c`). Returns null when a pair has no `:` (the line is no struct). A
 * line cannot say whether it is a struct or a string holding `:`: use this
 * where the method is known to answer a struct (`stats.fetch`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCtlFifoStruct } from "./read_reply.ts";
 * const stats = readCtlFifoStruct("shmem.used_size:12,core.rcv_requests:3");
 * assert.equal(stats?.get("core.rcv_requests"), "3");
 * assert.equal(readCtlFifoStruct("kamailio 5.6.3"), null);
 * ```
 */
export function readCtlFifoStruct(line: string): Members | null {
  if (line === "") return new Members([]);
  const entries: [string, string][] = [];
  for (const pair of line.split(",")) {
    const colon = pair.indexOf(":");
    if (colon < 0) return null;
    entries.push([unescapeMember(pair.slice(0, colon)), unescapeMember(pair.slice(colon + 1))]);
  }
  return new Members(entries);
}
