import { concatBytes } from "../../bytes.ts";
import { kamailioFifoRequest, KamailioFifoScan } from "./read_kamailio_fifo_request.ts";
import { readOpensipsFifoRequests } from "./read_opensips_fifo_requests.ts";
import { KAMAILIO_FIFO_BUFFER } from "./write_kamailio_fifo_request.ts";
import type { FifoRead, FifoRequestReader } from "../dialect.ts";

export type { FifoDrop, FifoRead, FifoRequest, FifoRequestReader } from "../dialect.ts";

/** Options of {@linkcode createFifoRequestReader}. */
export interface FifoRequestReaderOptions {
  /** The server's reply directory: it bounds the length of a reply name. Default `/tmp`. */
  replyDir?: string;
}

/**
 * A reader of the request stream of a server FIFO, as the real server reads
 * it: OpenSIPS `mi_fifo` (`:NAME:JSON`, see
 * {@linkcode readOpensipsFifoRequests}) or Kamailio `jsonrpcs` (objects
 * with `"reply_name"`, see {@linkcode readKamailioFifoRequest}).
 *
 * A Kamailio document that jsonrpcs reads but does not run (no
 * `reply_name` string, or one of 128 bytes or more) is given as a drop.
 *
 * What it keeps between chunks is bounded as in the servers: Kamailio's
 * 8191 bytes for a request (more is dropped and reading starts over on the
 * next byte), and for OpenSIPS the `:NAME:` header of at most the longest
 * name the reply directory leaves. Each byte is looked at once: a stream
 * that never completes a request costs its reading and nothing more.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFifoRequestReader } from "./fifo_request_reader.ts";
 * const reader = createFifoRequestReader("opensips");
 * const bytes = new TextEncoder().encode(':r1:{"jsonrpc":"2.0","method":"uptime","id":1}\n');
 * assert.equal(reader.push(bytes.subarray(0, 3)).requests.length, 0); // ":r1" is kept
 * assert.equal(reader.push(bytes.subarray(3)).requests[0].replyName, "r1");
 * ```
 */
export function createFifoRequestReader(
  flavour: "opensips" | "kamailio",
  options: FifoRequestReaderOptions = {},
): FifoRequestReader {
  return flavour === "kamailio" ? kamailioReader() : opensipsReader(options.replyDir ?? "/tmp");
}

function opensipsReader(replyDir: string): FifoRequestReader {
  let rest: Uint8Array = new Uint8Array(0);
  let skip = false;
  return {
    get pending() {
      return rest.length;
    },
    push(chunk) {
      const bytes = rest.length > 0 ? concatBytes([rest, chunk]) : chunk;
      const read = readOpensipsFifoRequests(bytes, { replyDir, skip });
      rest = read.rest;
      skip = read.skip;
      return {
        requests: read.requests,
        dropped: read.dropped === null ? [] : [{ kind: "invalid", reason: read.dropped }],
      };
    },
  };
}

function kamailioReader(): FifoRequestReader {
  // The part of the request read so far; never over 8190 bytes.
  const head = new Uint8Array(KAMAILIO_FIFO_BUFFER);
  let used = 0;
  let scan = new KamailioFifoScan();
  return {
    get pending() {
      return used;
    },
    push(chunk) {
      const out: FifoRead = { requests: [], dropped: [] };
      let start = 0;
      while (start < chunk.length) {
        const end = scan.advance(chunk, start);
        if (end < 0) {
          head.set(chunk.subarray(start), used);
          used += chunk.length - start;
          break;
        }
        if (scan.tooLarge) {
          out.dropped.push({
            kind: "too-large",
            reason: `no complete JSON object in ${scan.length} bytes`,
          });
        } else {
          const json = new Uint8Array(used + end - start);
          json.set(head.subarray(0, used));
          json.set(chunk.subarray(start, end), used);
          const { replyName, refusal } = kamailioFifoRequest(json);
          if (refusal === null) out.requests.push({ replyName, json });
          else {out.dropped.push({
              kind: "invalid",
              reason: `${refusal}: jsonrpcs does not run it`,
            });}
        }
        used = 0;
        scan = new KamailioFifoScan();
        start = end;
      }
      return out;
    },
  };
}
