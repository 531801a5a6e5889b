import { MidgramError } from "../../errors.ts";
import { getMember, readJson } from "./_cjson.ts";
import { nodeText } from "./_value.ts";
import { KAMAILIO_FIFO_BUFFER } from "./write_kamailio_fifo_request.ts";

/** One request read from Kamailio's FIFO. */
export interface KamailioFifoRequest {
  /** Bytes taken from the stream: up to the `}` that closes the first object. */
  length: number;
  /** The document (the same bytes). */
  json: Uint8Array;
  /** Its `reply_name` member (any case, first wins), when it is a string. */
  replyName: string | null;
}

/**
 * Cuts the first request out of what Kamailio's `jsonrpcs` FIFO process
 * reads, as it does: byte by byte until the braces that are not inside `"`
 * or `'` quotes balance (a quote preceded by `\` does not count). `null`
 * when more bytes are needed; throws `request-too-large` once 8191 bytes
 * hold no complete object (the server drops them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKamailioFifoRequest } from "./read_kamailio_fifo_request.ts";
 * const r = readKamailioFifoRequest(new TextEncoder().encode('{"reply_name":"r1","method":"core.uptime"}\n'));
 * console.log(r?.replyName, r?.length); // "r1" 42
 * ```
 */
export function readKamailioFifoRequest(buffer: Uint8Array): KamailioFifoRequest | null {
  let inString = false;
  let quote = 0;
  let depth = 0;
  let found = false;
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i];
    if ((c === 0x22 || c === 0x27) && (!inString || quote === c)) {
      if (i === 0 || buffer[i - 1] !== 0x5c) {
        inString = !inString;
        quote = c;
      }
    } else if (c === 0x7b && !inString) {
      found = true;
      depth++;
    } else if (c === 0x7d && !inString) depth--;
    if (i + 1 >= KAMAILIO_FIFO_BUFFER - 1) {
      throw new MidgramError(
        "request-too-large",
        `Request too large: no complete JSON object in ${i + 1} bytes`,
      );
    }
    if (found && depth === 0) {
      const json = buffer.slice(0, i + 1);
      const read = readJson(json, "kamailio");
      const name = read.ok ? getMember(read.node, "reply_name")?.value : undefined;
      return {
        length: i + 1,
        json,
        replyName: name?.type === "string" ? nodeText(name.bytes) : null,
      };
    }
  }
  return null;
}
