import type { ClientCodec, ReplyOutcome } from "../dialect.ts";
import type { Params } from "../value.ts";
import { positionalValues, withinLimit } from "../_request_checks.ts";
import { MAX_REQUEST } from "./limits.ts";
import { readCtlFifoReply } from "./read_reply.ts";
import { writeCtlFifoRequest } from "./write_request.ts";
import { CTLFIFO_FIFO } from "./carriage.ts";

/**
 * The client half of the old Kamailio FIFO protocol of `ctl`.
 *
 * Requests carry no id (the token is unused): `encodeRequest()` writes
 * `:METHOD:` and one line per positional parameter (`writeCtlFifoRequest()`;
 * named parameters are `unrepresentable`), with no reply FIFO name;
 * `withReplyName()` puts one in for a FIFO. `decodeReply()` gives `{kind:
 * "result", value}` for a 2xx status, `value` being the array of the reply's
 * lines as written, and `{kind: "error", code, message}` (the reason phrase)
 * otherwise, with the lines as `data` when there are any. There is no reply
 * framing on a stream: ctl closes a TCP connection after its last reply once
 * the client has closed its half, and the client reads to that end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCtlFifoClientCodec } from "./create_ctlfifo_client_codec.ts";
 * const codec = createCtlFifoClientCodec();
 * const reply = new TextEncoder().encode("500 Command 'x' not found\n");
 * assert.deepEqual(codec.decodeReply(reply, undefined), {
 *   kind: "error", code: 500, message: "Command 'x' not found",
 * });
 * ```
 */
export function createCtlFifoClientCodec(): ClientCodec {
  return {
    dialect: "ctlfifo",
    maxRequest: MAX_REQUEST,
    newToken: () => undefined,
    tokenOf: () => undefined,
    fifo: () => CTLFIFO_FIFO,
    replyEndsAtClose: true,
    encodeRequest(method: string, params: Params): Uint8Array {
      const values = positionalValues(method, params, "ctlfifo parameters are positional lines");
      return withinLimit(method, writeCtlFifoRequest(method, values, ""), MAX_REQUEST, "request");
    },
    decodeReply(bytes: Uint8Array): ReplyOutcome {
      const reply = readCtlFifoReply(bytes);
      if (reply.code >= 200 && reply.code < 300) return { kind: "result", value: reply.lines };
      return reply.lines.length > 0
        ? { kind: "error", code: reply.code, message: reply.reason, data: reply.lines }
        : { kind: "error", code: reply.code, message: reply.reason };
    },
  };
}
