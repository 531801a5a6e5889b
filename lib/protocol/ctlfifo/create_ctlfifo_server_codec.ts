import { ERROR_DISPOSITIONS } from "../../errors.ts";
import type { Call, Decoded, Fault, MethodShape, NativeResult, ServerCodec } from "../dialect.ts";
import { isNativeResult } from "../dialect.ts";
import type { Value } from "../value.ts";
import { CTLFIFO_FIFO } from "./carriage.ts";
import { frameCtlFifo } from "./frame.ts";
import { readCtlFifoRequest } from "./read_request.ts";
import { writeCtlFifoReply } from "./write_reply.ts";
import { MAX_REQUEST, MIN_REQUEST } from "./limits.ts";

/** Options of {@linkcode createCtlFifoServerCodec}. */
export interface CtlFifoServerOptions {
  /** Told of what the server counts (`oversized_replies`). */
  count?: (counter: string) => void;
}

/** ctl's answer to a first line it refuses: a bare `200 OK` (sockets only). */
const REFUSED = writeCtlFifoReply(200, "OK", [])!;

const notFound = (method: string) => `Command '${method}' not found`;

/**
 * The server half of the old Kamailio FIFO protocol, answering as Kamailio
 * 5.6's `ctl` does (`modparam("ctl", "fifo", …)`, over a FIFO, UDP or TCP).
 *
 * Decoding: fewer than 6 bytes or no empty line get no reply (a stream waits
 * for more); a first line ctl refuses (see `readCtlFifoRequest()`) gets
 * `200 OK` and nothing else; an unknown method `500 Command 'NAME' not
 * found`. Parameters are the unescaped lines, as strings (a line with an
 * escape ctl refuses as its bytes, which no string scan takes); ctl converts each
 * when the method reads it (`strtol()` for an integer), so every parameter
 * is converted as ctl's `autoconversion` would. What ctl's reader finds
 * after the parameters (the empty line, then the rest of a datagram) is
 * `params.after`, for the Kamailio built-ins that read on past them as ctl
 * does. Only the first 65535 bytes are read; a datagram carries one request
 * (bytes after it are never run).
 * The token is the reply FIFO's name.
 *
 * Encoding: see `writeCtlFifoReply()`: a result array is the reply's lines,
 * `null` an empty body, any other value one line. A reply of more than
 * 1024 pieces is not sent, as ctl does. Faults: method-not-found → 500
 * `Command 'NAME' not found`; invalid-params → 400 and the detail; command
 * → its code and message; failed → 500 and the message; busy → 500 `Server
 * busy`; reply-too-large → nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCtlFifoServerCodec } from "./create_ctlfifo_server_codec.ts";
 * const codec = createCtlFifoServerCodec();
 * const decoded = codec.decode(new TextEncoder().encode(":core.version:\n\n"), () => ({ noInput: false }));
 * assert.equal(decoded.kind, "call");
 * if (decoded.kind === "call") {
 *   const reply = codec.encodeResult(decoded.call, "kamailio 5.6.3");
 *   assert.equal(new TextDecoder().decode(reply!), "200 OK\nkamailio 5.6.3\n");
 * }
 * ```
 */
export function createCtlFifoServerCodec(options: CtlFifoServerOptions = {}): ServerCodec {
  const reply = (code: number, reason: string, values: readonly Value[]) => {
    const bytes = writeCtlFifoReply(code, reason, values);
    if (bytes === null) options.count?.("oversized_replies");
    return bytes;
  };
  return {
    dialect: "ctlfifo",
    flavour: "kamailio",
    maxRequest: MAX_REQUEST,
    frame: (buffer) => frameCtlFifo(buffer, { code: "request-syntax" }),
    fifo: CTLFIFO_FIFO,
    decode(input: Uint8Array, lookup: (method: string) => MethodShape | undefined): Decoded {
      const bytes = input.subarray(0, MAX_REQUEST);
      const request = readCtlFifoRequest(bytes);
      if (request.kind === "incomplete") {
        return bytes.length < MIN_REQUEST
          ? {
            kind: "answer",
            reply: null,
            reason: "empty",
            message: "Request shorter than 6 bytes",
          }
          : {
            kind: "answer",
            reply: null,
            reason: "parse-error",
            message: "Cannot read ctlfifo request: no empty line ends it",
          };
      }
      if (request.kind === "refused") {
        return { kind: "answer", reply: REFUSED, reason: "invalid-request", message: request.why };
      }
      if (lookup(request.method) === undefined) {
        return {
          kind: "answer",
          reply: reply(
            ERROR_DISPOSITIONS["method-not-found"].binrpc,
            notFound(request.method),
            [],
          ),
          reason: "method-not-found",
          message: `No method "${request.method}"`,
        };
      }
      return {
        kind: "call",
        call: {
          method: request.method,
          params: { kind: "positional", values: request.params, after: request.after },
          token: request.replyName,
        },
      };
    },
    encodeResult(_call: Call, result: Value | NativeResult): Uint8Array | null {
      if (isNativeResult(result)) result = result.value;
      const values = result === null ? [] : Array.isArray(result) ? result : [result as Value];
      return reply(200, "OK", values);
    },
    encodeFault(_call: Call, fault: Fault): Uint8Array | null {
      switch (fault.kind) {
        case "method-not-found":
          return reply(
            ERROR_DISPOSITIONS["method-not-found"].binrpc,
            notFound(fault.method),
            [],
          );
        case "invalid-params":
          return reply(ERROR_DISPOSITIONS["invalid-params"].binrpc, fault.detail, []);
        case "command":
          return reply(fault.code, fault.message, []);
        case "failed":
          return reply(ERROR_DISPOSITIONS.handler.binrpc, fault.message, []);
        case "busy":
          return reply(500, "Server busy", []);
        case "reply-too-large":
          return null;
      }
    },
  };
}
