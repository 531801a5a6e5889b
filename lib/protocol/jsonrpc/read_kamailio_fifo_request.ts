import { getMember, type JNode, readJson } from "./_cjson.ts";
import { nodeText } from "./_value.ts";
import { MAX_REPLY_PATH } from "./_fifo_names.ts";
import { KAMAILIO_FIFO_BUFFER } from "./write_kamailio_fifo_request.ts";

/** One request read from Kamailio's FIFO, or the bytes dropped in its place. */
export interface KamailioFifoRequest {
  /** Bytes taken from the stream: up to the `}` that closes the first object, or the dropped bytes. */
  length: number;
  /**
   * The document (the same bytes); `null` when the first 8191 bytes held no
   * complete object: jsonrpcs drops them, answers nothing, and reads what
   * follows as the start of the next request.
   */
  json: Uint8Array | null;
  /**
   * Its `reply_name` member (any case, first wins) when it is a string, as
   * the client wrote it: a `\u` escape that the server's parser would drop
   * (`\u0000`, a lone surrogate) is kept, so that the name can be refused.
   */
  replyName: string | null;
  /**
   * Why jsonrpcs reads this document but does not run it (checked against
   * Kamailio 5.6): no `reply_name` string, or one of 128 bytes or more (its
   * buffer for the name). `null` when it runs, or when it is not JSON.
   */
  refusal: string | null;
}

/**
 * How far the reading of one request has come, so that it goes on over the
 * next bytes without looking at the first ones again.
 */
export class KamailioFifoScan {
  /** Bytes of the request seen so far. */
  length = 0;
  private inString = false;
  private quote = 0;
  private depth = 0;
  private found = false;
  private last = -1;

  /**
   * Reads `bytes[from]`, `bytes[from + 1]`, … as the continuation of the
   * request: the index just past the request's last byte when it ends there
   * (complete, or 8191 bytes without an end: see {@linkcode tooLarge}), or
   * -1 when `bytes` ran out first.
   */
  advance(bytes: Uint8Array, from = 0): number {
    for (let i = from; i < bytes.length; i++) {
      const c = bytes[i];
      if ((c === 0x22 || c === 0x27) && (!this.inString || this.quote === c)) {
        if (this.last !== 0x5c) {
          this.inString = !this.inString;
          this.quote = c;
        }
      } else if (c === 0x7b && !this.inString) {
        this.found = true;
        this.depth++;
      } else if (c === 0x7d && !this.inString) this.depth--;
      this.last = c;
      this.length++;
      if (this.tooLarge || (this.found && this.depth === 0)) return i + 1;
    }
    return -1;
  }

  /** Whether the request ran to jsonrpcs's limit of 8191 bytes without an end. */
  get tooLarge(): boolean {
    return this.length >= KAMAILIO_FIFO_BUFFER - 1;
  }
}

/** The reply name as written: standard JSON decoding where the server's would drop an escape. */
function replyNameOf(json: Uint8Array, node: JNode | undefined): string | null {
  if (node?.type !== "string") return null;
  const text = nodeText(node.bytes);
  const raw = json.subarray(node.start, node.end);
  if (!raw.includes(0x5c)) return text;
  try {
    const strict: unknown = JSON.parse(nodeText(raw));
    if (typeof strict === "string") return strict;
  } catch {
    // Escapes that only the server's lenient parser reads: its reading stands.
  }
  return text;
}

/** The request made of `json`, the bytes {@linkcode KamailioFifoScan} found. */
export function kamailioFifoRequest(json: Uint8Array): KamailioFifoRequest {
  const read = readJson(json, "kamailio");
  if (!read.ok || read.node.type !== "object") {
    return { length: json.length, json, replyName: null, refusal: null };
  }
  const member = getMember(read.node, "reply_name")?.value;
  const replyName = replyNameOf(json, member);
  let refusal: string | null = null;
  if (member?.type !== "string") refusal = 'no "reply_name" string';
  else if (member.bytes.length >= MAX_REPLY_PATH) {
    refusal = `a "reply_name" of ${member.bytes.length} bytes, over the server's ${
      MAX_REPLY_PATH - 1
    }`;
  }
  return { length: json.length, json, replyName, refusal };
}

/**
 * Cuts the first request out of what Kamailio's `jsonrpcs` FIFO process
 * reads, as it does: byte by byte until the braces that are not inside `"`
 * or `'` quotes balance (a quote preceded by `\` does not count). `null`
 * when more bytes are needed. When 8191 bytes hold no complete object, they
 * are given back with `json: null` (the server drops them, answers nothing,
 * and starts over on the next byte): no input throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKamailioFifoRequest } from "./read_kamailio_fifo_request.ts";
 * const r = readKamailioFifoRequest(new TextEncoder().encode('{"reply_name":"r1","method":"core.uptime"}\n'));
 * assert.deepEqual([r?.replyName, r?.length], ["r1", 42]);
 * ```
 */
export function readKamailioFifoRequest(buffer: Uint8Array): KamailioFifoRequest | null {
  const scan = new KamailioFifoScan();
  const end = scan.advance(buffer);
  if (end < 0) return null;
  if (scan.tooLarge) return { length: end, json: null, replyName: null, refusal: null };
  return kamailioFifoRequest(buffer.slice(0, end));
}
