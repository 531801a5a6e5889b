/**
 * The text MI dialect behind the seam of `../dialect.ts`: the server's
 * decode/encode and the client's encode/decode, on top of the parser and
 * writers of this folder.
 *
 * @module
 */
import { ERROR_DISPOSITIONS, errorCodeOf, MidgramError } from "../../errors.ts";
import {
  type Call,
  type ClientCodec,
  type Decoded,
  type Fault,
  isNativeResult,
  type MethodShape,
  type NativeResult,
  type ReplyOutcome,
  type ServerCodec,
} from "../dialect.ts";
import { NO_PARAMS, type Params, type Value } from "../value.ts";
import { analyzeRequest } from "./analyze_request.ts";
import { formatReply } from "./format_reply.ts";
import { formatRequest } from "./format_request.ts";
import { MAX_DATAGRAM_SIZE } from "./limits.ts";
import { parseReply } from "./parse_reply.ts";
import { readCommandName } from "./read_command_name.ts";
import { errorReply, FIXED_REPLIES, okReply } from "./reply_builders.ts";
import {
  argumentsToParams,
  nodesToPlainValue,
  nodesToValue,
  paramsToArguments,
  valueToNodes,
} from "./tree_value.ts";
import type { MiReply } from "./types.ts";

const encoder = new TextEncoder();
const FIXED = {
  commandNotAvailable: encoder.encode(FIXED_REPLIES.commandNotAvailable),
  parseError: encoder.encode(FIXED_REPLIES.parseError),
  commandFailed: encoder.encode(FIXED_REPLIES.commandFailed),
};

/**
 * An MI reply written by a 2.4-layout handler, with what other dialects
 * answer instead: its nodes as a plain value, or an error for a non-2xx code.
 */
export function miResult(reply: MiReply): NativeResult {
  const ok = reply.code >= 200 && reply.code < 300;
  return {
    native: "mi",
    reply,
    value: nodesToPlainValue(reply.nodes),
    fault: ok ? undefined : { kind: "command", code: reply.code, message: reply.reason },
  };
}

/** Options of {@linkcode createMiServerCodec}. */
export interface MiCodecOptions {
  /** The reply indent string (`reply_indent`); default one TAB. */
  indent?: string;
  /** Told of each reply's code (`replies_200`) and of replies that could not be written. */
  count?: (counter: string) => void;
}

/**
 * The server side of the text dialect, answering as OpenSIPS 2.4's
 * `mi_datagram` does (PROTOCOL.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMiServerCodec } from "./codec.ts";
 * const codec = createMiServerCodec();
 * const d = codec.decode(new TextEncoder().encode(":version:\n"), () => ({ noInput: true }));
 * assert.equal(d.kind, "call");
 * ```
 */
export function createMiServerCodec(options: MiCodecOptions = {}): ServerCodec {
  const indent = options.indent ?? "\t";
  const count = options.count ?? (() => {});
  const fixed = (bytes: Uint8Array): Uint8Array => {
    count(`replies_${String.fromCharCode(...bytes.subarray(0, 3))}`);
    return bytes;
  };
  const write = (reply: MiReply): Uint8Array => {
    try {
      const bytes = encoder.encode(formatReply(reply, { indent }));
      count(`replies_${reply.code}`);
      return bytes;
    } catch (error) {
      if (errorCodeOf(error) === "reply-too-large") {
        count("oversized_replies");
        return write(errorReply(500, (error as Error).message));
      }
      // A value the text layout cannot carry: the real servers' "command failed".
      count("unrepresentable_replies");
      return fixed(FIXED.commandFailed);
    }
  };
  return {
    dialect: "mi",
    flavour: "opensips-2.4",
    maxRequest: MAX_DATAGRAM_SIZE,
    decode(bytes: Uint8Array, lookup: (method: string) => MethodShape | undefined): Decoded {
      if (bytes.length === 0) {
        return { kind: "answer", reply: null, reason: "empty", message: "empty datagram" };
      }
      if (bytes.length > MAX_DATAGRAM_SIZE) {
        // A datagram that fills the receive buffer was cut by the OS: say so.
        const size = bytes.length === 65536 ? `at least ${bytes.length}` : String(bytes.length);
        const message = `Request too large: ${size} bytes, the limit is ${MAX_DATAGRAM_SIZE}`;
        return {
          kind: "answer",
          reply: write(errorReply(400, message)),
          reason: "too-large",
          message,
        };
      }
      const first = readCommandName(bytes);
      const shape = first ? lookup(first.command) : undefined;
      if (!first || !shape) {
        return {
          kind: "answer",
          reply: fixed(FIXED.commandNotAvailable),
          reason: "method-not-found",
          message: first ? `unknown command "${first.command}"` : "no command line",
        };
      }
      if (shape.noInput) {
        return {
          kind: "call",
          call: { method: first.command, params: NO_PARAMS, token: null, args: [] },
        };
      }
      const analysis = analyzeRequest(bytes, { mode: "compat" });
      if (!analysis.request) {
        return {
          kind: "answer",
          reply: fixed(FIXED.parseError),
          reason: "parse-error",
          message: analysis.errors[0]?.message ?? "parse error",
        };
      }
      const { args } = analysis.request;
      return {
        kind: "call",
        call: { method: first.command, params: argumentsToParams(args), token: null, args },
      };
    },
    encodeResult(_call: Call, result: Value | NativeResult): Uint8Array {
      if (isNativeResult(result)) {
        if (result.native === "mi") return write(result.reply as MiReply);
        return write(okReply(valueToNodes(result.value)));
      }
      return write(okReply(valueToNodes(result)));
    },
    encodeFault(_call: Call, fault: Fault): Uint8Array {
      switch (fault.kind) {
        case "method-not-found":
          return fixed(FIXED.commandNotAvailable);
        case "failed":
          return fixed(FIXED.commandFailed);
        case "invalid-params":
          return write(errorReply(ERROR_DISPOSITIONS["invalid-params"].mi, fault.detail));
        case "command": {
          const code = fault.code >= 100 && fault.code <= 999 ? fault.code : 500;
          return write(errorReply(code, fault.message.replace(/[\r\n]+/g, " ")));
        }
        case "busy":
          return write(errorReply(500, "Server busy"));
        case "reply-too-large":
          return write(
            errorReply(500, `Reply too large: ${fault.size} bytes, the limit is ${fault.limit}`),
          );
      }
    },
  };
}

/** Options of {@linkcode createMiClientCodec}. */
export interface MiClientCodecOptions {
  /** The server's reply indent string; default TAB. */
  indent?: string;
  /** Split ` key=value` attributes off values; default true. */
  attributes?: boolean;
}

/**
 * The client side of the text dialect. A result is the reply tree as
 * {@linkcode nodesToValue} writes it; a non-2xx code is an error outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMiClientCodec } from "./codec.ts";
 * const codec = createMiClientCodec();
 * const bytes = codec.encodeRequest("version", { kind: "positional", values: [] }, null);
 * assert.equal(new TextDecoder().decode(bytes), ":version:\n");
 * codec.decodeReply(new TextEncoder().encode("404 Not found\n\n"), null);
 * // { kind: "error", code: 404, message: "Not found" }
 * ```
 */
export function createMiClientCodec(options: MiClientCodecOptions = {}): ClientCodec {
  return {
    dialect: "mi",
    maxRequest: MAX_DATAGRAM_SIZE,
    newToken: () => null,
    encodeRequest(method: string, params: Params): Uint8Array {
      return encoder.encode(formatRequest(method, paramsToArguments(params)));
    },
    decodeReply(bytes: Uint8Array): ReplyOutcome {
      const reply = parseReply(bytes, {
        indent: options.indent,
        attributes: options.attributes ?? true,
      });
      if (bytes.length >= MAX_DATAGRAM_SIZE) {
        throw new MidgramError(
          "truncated-reply",
          `The reply fills the ${MAX_DATAGRAM_SIZE}-byte limit: it was probably cut`,
        );
      }
      if (reply.code >= 200 && reply.code < 300) {
        return { kind: "result", value: nodesToValue(reply.nodes) };
      }
      return { kind: "error", code: reply.code, message: reply.reason };
    },
  };
}
