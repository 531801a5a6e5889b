/**
 * How ctl's FIFO protocol travels through a FIFO: requests name their reply
 * FIFO on their first line (`:METHOD:REPLY_NAME`) and end at an empty line,
 * so the server splits the byte stream by the codec's own framing; when its
 * buffer is full with no end in it, ctl drops what it holds. The FIFO
 * transport applies this without knowing the dialect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CTLFIFO_FIFO } from "./carriage.ts";
 * const reader = CTLFIFO_FIFO.reader("/tmp");
 * const read = reader.push(new TextEncoder().encode(":core.version:r1\n\n:core.uptime:r2\n"));
 * assert.deepEqual(read.requests.map((r) => r.replyName), ["r1"]);
 * assert.equal(reader.pending, 16);
 * const bytes = CTLFIFO_FIFO.request(new TextEncoder().encode(":core.version:\n\n"), "r3");
 * assert.equal(new TextDecoder().decode(bytes), ":core.version:r3\n\n");
 * ```
 *
 * @module
 */
import { concatBytes } from "../../bytes.ts";
import type { FifoFraming } from "../dialect.ts";
import type { FifoRead, FifoRequestReader } from "../jsonrpc/fifo_request_reader.ts";
import { servedReplyNameProblem } from "../jsonrpc/_fifo_names.ts";
import { frameCtlFifo } from "./frame.ts";
import { ctlFifoReplyName } from "./read_request.ts";

const encoder = new TextEncoder();

/**
 * A request with its first line's reply FIFO name replaced by `name` (the
 * request as it is when its first line has no second `:`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withCtlFifoReplyName } from "./carriage.ts";
 * const r = withCtlFifoReplyName(new TextEncoder().encode(":core.version:\n\n"), "r1");
 * assert.equal(new TextDecoder().decode(r), ":core.version:r1\n\n");
 * ```
 */
export function withCtlFifoReplyName(request: Uint8Array, name: string): Uint8Array {
  let eol = request.indexOf(0x0a);
  if (eol < 0) eol = request.length;
  const sep = request[0] === 0x3a ? request.subarray(0, eol).indexOf(0x3a, 1) : -1;
  if (sep < 0) return request;
  const head = request.subarray(0, sep + 1);
  const tail = request.subarray(eol);
  return concatBytes([head, encoder.encode(name), tail]);
}

/** A reader of ctl's FIFO byte stream: whole requests by the protocol's own framing. */
function ctlFifoReader(): FifoRequestReader {
  let pending: Uint8Array = new Uint8Array(0);
  return {
    get pending() {
      return pending.length;
    },
    push(chunk) {
      const joined = concatBytes([pending, chunk]);
      const read: FifoRead = { requests: [], dropped: [] };
      let rest = joined;
      while (true) {
        let length: number;
        try {
          length = frameCtlFifo(rest, { code: "request-syntax" });
        } catch {
          read.dropped.push({ kind: "invalid", reason: "a request with no end fills the buffer" });
          rest = new Uint8Array(0);
          break;
        }
        if (length === 0) break;
        const request = rest.subarray(0, length);
        read.requests.push({ replyName: ctlFifoReplyName(request), json: request });
        rest = rest.subarray(length);
      }
      pending = rest.slice();
      return read;
    },
  };
}

/** ctl's FIFO framing, for its server and its clients. */
export const CTLFIFO_FIFO: FifoFraming = {
  reader: () => ctlFifoReader(),
  request: (request, replyName) => withCtlFifoReplyName(request, replyName),
  replyNameProblem: servedReplyNameProblem,
};
