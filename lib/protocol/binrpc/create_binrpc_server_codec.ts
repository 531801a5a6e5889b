import { ERROR_DISPOSITIONS } from "../../errors.ts";
import type { Call, Decoded, Fault, MethodShape, NativeResult, ServerCodec } from "../dialect.ts";
import { isNativeResult } from "../dialect.ts";
import type { Value } from "../value.ts";
import {
  _ERR_EOP,
  _ERR_MORE_DATA,
  _ERR_OVERFLOW,
  _ERR_TYPE,
  _MAX_PACKET,
  _T_STR,
} from "./_constants.ts";
import { _faultPacket } from "./_fault.ts";
import { type _Cursor, _cursor, _readRecord } from "./_record.ts";
import { _writeReplyBody } from "./_write.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";
import { frame } from "./frame.ts";
import { _readHeader } from "./read_packet.ts";
import { _readRecordsPrefix } from "./read_records.ts";
import { writePacket } from "./write_packet.ts";

/** Options of {@linkcode createBinRpcServerCodec}. */
export interface BinRpcServerOptions {
  /** Reply body limit in bytes: ctl's `binrpc_max_body_size` (KB) ×1024. Default 32768. */
  maxBody?: number;
  /** Limit of each struct's or array's contents: `binrpc_struct_max_body_size` ×1024. Default 8192. */
  maxStructBody?: number;
}

const decoder = new TextDecoder();
const CORRUPTED = "bad request: corrupted packet";

function cookieOf(call: Call): number {
  return typeof call.token === "number" ? call.token : 0;
}

/**
 * The server half of binrpc, answering as Kamailio 5.6's `ctl` does.
 *
 * Decoding: fewer than 4 bytes, a cut header or a cut body get no reply
 * (on a stream, {@linkcode frame} waits for them); a bad magic/version or an
 * unknown packet type gets `400 bad request: corrupted packet` with cookie
 * 0; a reply or fault packet gets the same fault with its cookie echoed; a
 * body without a string method record gets `400 bad request method: …`
 * (`end of packet encountered`, `record doesn't match type`,
 * `more data needed`); an unknown method gets `500 command NAME not found`.
 * The method name ends at its first NUL, as ctl reads it. Parameters are the
 * records after the method, read into positional values as
 * `readRecords()` reads them; a malformed record ends them (ctl reads
 * parameters only when the method asks, and fails at that record). The
 * token is the cookie. Only the first 65535 bytes are read (ctl's buffer);
 * bytes after the packet are ignored. On a stream ctl closes the connection
 * after any answer whose reason is `parse-error` or `invalid-request`.
 *
 * Encoding: a result array is the reply's flat list of records, `null` an
 * empty reply, any other value one record. The cookie is echoed on the
 * fewest bytes. A body over `maxBody` becomes ctl's fault `500 Internal
 * server error processing 'c': buffer too small (overflow) (-2)`; a member
 * that does not fit its struct's `maxStructBody` is left out, as ctl does.
 * Faults: method-not-found → 500 `command NAME not found`; invalid-params →
 * 400 and the detail (Kamailio's own texts read `error at parameter N:
 * expected integer type but record doesn't match type`, N counted from 0);
 * command → its code and message; failed → 500 and the message; busy → 500
 * `Server busy`; reply-too-large → ctl's overflow fault. Messages are cut to
 * 255 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createBinRpcServerCodec } from "./create_binrpc_server_codec.ts";
 * const codec = createBinRpcServerCodec();
 * const request = Uint8Array.from([0xa1, 0x00, 0x06, 0x07, 0x51, 0x63, 0x6f, 0x72, 0x65, 0x00]);
 * const decoded = codec.decode(request, () => ({ noInput: false }));
 * assert.equal(decoded.kind, "call");
 * if (decoded.kind === "call") {
 *   assert.equal(decoded.call.method, "core");
 *   assert.deepEqual(codec.encodeResult(decoded.call, 2), Uint8Array.from([0xa1, 0x10, 0x02, 0x07, 0x10, 0x02]));
 * }
 * ```
 */
export function createBinRpcServerCodec(options: BinRpcServerOptions = {}): ServerCodec {
  const limits = { body: options.maxBody ?? 32768, struct: options.maxStructBody ?? 8192 };
  const overflow = (mark: string) =>
    `Internal server error processing '${mark}': ${_ERR_OVERFLOW} (-2)`;
  return {
    dialect: "binrpc",
    flavour: "kamailio",
    maxRequest: _MAX_PACKET,
    frame: (buffer) => frame(buffer, { code: "request-syntax" }),
    decode(input: Uint8Array, lookup: (method: string) => MethodShape | undefined): Decoded {
      const bytes = input.subarray(0, _MAX_PACKET);
      if (bytes.length < 4) {
        return {
          kind: "answer",
          reply: null,
          reason: "empty",
          message: "Packet shorter than 4 bytes",
        };
      }
      let head;
      try {
        head = _readHeader(bytes, "request-syntax");
      } catch (e) {
        const message = e instanceof BinRpcSyntaxError ? e.message : String(e);
        return {
          kind: "answer",
          reply: _faultPacket(0, 400, CORRUPTED),
          reason: "parse-error",
          message,
        };
      }
      if (head === null || bytes.length < head.bodyAt + head.bodyLength) {
        return {
          kind: "answer",
          reply: null,
          reason: "parse-error",
          message: `Cannot read binrpc packet: cut after ${bytes.length} bytes`,
        };
      }
      const { cookie } = head;
      if (head.type !== "request") {
        return {
          kind: "answer",
          reply: _faultPacket(cookie, 400, CORRUPTED),
          reason: "invalid-request",
          message: `Cannot serve a "${head.type}" packet`,
        };
      }
      const body = bytes.subarray(head.bodyAt, head.bodyAt + head.bodyLength);
      const c = _cursor(body, false);
      let method: string;
      try {
        const r = _readRecord(c);
        if (r.type !== _T_STR || r.name !== null) throw new BinRpcSyntaxError(_ERR_TYPE, 0);
        // ctl looks the name up as a C string: it ends at the first NUL.
        const nul = r.data.indexOf(0);
        method = decoder.decode(nul === -1 ? r.data : r.data.subarray(0, nul));
      } catch (e) {
        if (!(e instanceof BinRpcSyntaxError)) throw e;
        const text = e.detail === _ERR_EOP || e.detail === _ERR_MORE_DATA ? e.detail : _ERR_TYPE;
        return {
          kind: "answer",
          reply: _faultPacket(cookie, 400, `bad request method: ${text}`),
          reason: "invalid-request",
          message: `Cannot read the method name: ${text}`,
        };
      }
      if (lookup(method) === undefined) {
        return {
          kind: "answer",
          reply: _faultPacket(
            cookie,
            ERROR_DISPOSITIONS["method-not-found"].binrpc,
            `command ${method} not found`,
          ),
          reason: "method-not-found",
          message: `No method "${method}"`,
        };
      }
      // Whole parameters before a bad record: ctl fails only when a method reads that far.
      const { values } = _readRecordsPrefix(body.subarray(c.pos), { code: "request-syntax" });
      return {
        kind: "call",
        call: { method, params: { kind: "positional", values }, token: cookie },
      };
    },
    encodeResult(call: Call, result: Value | NativeResult): Uint8Array | null {
      const cookie = cookieOf(call);
      if (isNativeResult(result)) {
        if (result.native === "binrpc" && result.reply instanceof Uint8Array) {
          return writePacket({ type: "reply", cookie, body: result.reply });
        }
        result = result.value;
      }
      const values = result === null ? [] : Array.isArray(result) ? result : [result as Value];
      const out = _writeReplyBody(values, limits);
      if ("overflow" in out) return _faultPacket(cookie, 500, overflow(out.overflow));
      return writePacket({ type: "reply", cookie, body: out.body });
    },
    encodeFault(call: Call, fault: Fault): Uint8Array | null {
      const cookie = cookieOf(call);
      switch (fault.kind) {
        case "method-not-found":
          return _faultPacket(
            cookie,
            ERROR_DISPOSITIONS["method-not-found"].binrpc,
            `command ${fault.method} not found`,
          );
        case "invalid-params":
          return _faultPacket(cookie, ERROR_DISPOSITIONS["invalid-params"].binrpc, fault.detail);
        case "command":
          return _faultPacket(cookie, fault.code, fault.message);
        case "failed":
          return _faultPacket(cookie, ERROR_DISPOSITIONS.handler.binrpc, fault.message);
        case "busy":
          return _faultPacket(cookie, 500, "Server busy");
        case "reply-too-large":
          return _faultPacket(cookie, 500, overflow("s"));
      }
    },
  };
}
