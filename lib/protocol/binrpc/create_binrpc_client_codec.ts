import { MidgramError } from "../../errors.ts";
import type { ClientCodec, ReplyOutcome } from "../dialect.ts";
import type { Params } from "../value.ts";
import { positionalValues, withinLimit } from "../_request_checks.ts";
import { _MAX_PACKET } from "./_constants.ts";
import { _writeValues } from "./_write.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";
import { frame } from "./frame.ts";
import { readPacket } from "./read_packet.ts";
import { readRecords } from "./read_records.ts";
import { writePacket } from "./write_packet.ts";

function wrap(e: unknown): never {
  if (e instanceof BinRpcSyntaxError) {
    const code = e.code === "truncated-reply" ? "truncated-reply" : "reply-syntax";
    throw new MidgramError(code, e.message, { cause: e });
  }
  throw e;
}

function randomCookie(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * The client half of binrpc, as kamcmd talks to `ctl`.
 *
 * `newToken()` is a random unsigned 32-bit cookie. `encodeRequest()` writes
 * the method as a str record and the positional parameters after it, as
 * `writeRecords()` does (named parameters are `unrepresentable`: binrpc has
 * none); a packet over 65535 bytes is `request-too-large`. `decodeReply()`
 * gives `{kind: "foreign"}` for another cookie (read from the header, even
 * when the body is cut), `{kind: "error", code, message}` for a fault, and
 * for a reply `{kind: "result", value}` where `value` is the array of the
 * reply's records, in order, as `readRecords()` reads them (an empty array
 * when the method added nothing). Malformed bytes throw `MidgramError`
 * `reply-syntax`; a packet shorter than its header says, `truncated-reply`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createBinRpcClientCodec } from "./create_binrpc_client_codec.ts";
 * const codec = createBinRpcClientCodec();
 * const request = codec.encodeRequest("core.version", { kind: "positional", values: [] }, 7);
 * assert.deepEqual(request.subarray(0, 4), Uint8Array.from([0xa1, 0x00, 0x0f, 0x07]));
 * const reply = Uint8Array.from([0xa1, 0x10, 0x03, 0x07, 0x21, 0x61, 0x00]);
 * assert.deepEqual(codec.decodeReply(reply, 7), { kind: "result", value: ["a"] });
 * assert.deepEqual(codec.decodeReply(reply, 8), { kind: "foreign" });
 * ```
 */
export function createBinRpcClientCodec(): ClientCodec {
  return {
    dialect: "binrpc",
    maxRequest: _MAX_PACKET,
    newToken: randomCookie,
    encodeRequest(method: string, params: Params, token: unknown): Uint8Array {
      const values = positionalValues(method, params, "binrpc parameters are positional");
      const body = _writeValues([method, ...values]);
      const packet = writePacket({ type: "request", cookie: Number(token) >>> 0, body });
      return withinLimit(method, packet, _MAX_PACKET, "packet");
    },
    tokenOf(request: Uint8Array): unknown {
      try {
        return readPacket(request, { code: "request-syntax" }).cookie;
      } catch {
        return undefined;
      }
    },
    decodeReply(bytes: Uint8Array, token: unknown): ReplyOutcome {
      let packet;
      try {
        packet = readPacket(bytes, { code: "reply-syntax" });
      } catch (e) {
        if (e instanceof BinRpcSyntaxError && e.truncated && bytes.length >= 4) {
          // the header may be whole: a cut reply to another request is not ours
          const cl = (bytes[1] & 3) + 1;
          const ll = ((bytes[1] >> 2) & 3) + 1;
          if (bytes.length >= 2 + ll + cl) {
            let cookie = 0;
            for (let i = 0; i < cl; i++) cookie = cookie * 256 + bytes[2 + ll + i];
            if (token !== undefined && cookie !== Number(token) >>> 0) return { kind: "foreign" };
          }
        }
        wrap(e);
      }
      if (token !== undefined && packet.cookie !== Number(token) >>> 0) return { kind: "foreign" };
      if (packet.type === "request") {
        throw new MidgramError("reply-syntax", "Cannot read binrpc reply: it is a request packet");
      }
      let values;
      try {
        values = readRecords(packet.body, {
          code: "reply-syntax",
          offset: packet.length - packet.body.length,
        });
      } catch (e) {
        wrap(e);
      }
      if (packet.type === "reply") return { kind: "result", value: values };
      const [code, message] = values;
      if (typeof code !== "number" || (message !== undefined && typeof message !== "string")) {
        throw new MidgramError(
          "reply-syntax",
          "Cannot read binrpc fault: expected an integer code and a string message",
        );
      }
      return { kind: "error", code, message: message ?? "" };
    },
    // No limit of the protocol's own on replies: the stream reader's.
    frame: (buffer, maxPacket) => frame(buffer, { code: "reply-syntax", maxPacket }),
  };
}
