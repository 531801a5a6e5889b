import { _MAGIC_BYTE, _PKT_FAULT, _PKT_REPLY, _PKT_REQUEST } from "./_constants.ts";
import type { BinRpcPacket, BinRpcPacketType } from "./binrpc_packet.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";

/** A packet as read, with its length on the wire. */
export interface ReadPacket extends BinRpcPacket {
  /** Header and body length in bytes; bytes after it are not part of this packet. */
  length: number;
}

const TYPES: Record<number, BinRpcPacketType> = {
  [_PKT_REQUEST]: "request",
  [_PKT_REPLY]: "reply",
  [_PKT_FAULT]: "fault",
};

/** Reads the fixed header; `null` when more bytes are needed. Throws on a bad magic or type. */
export function _readHeader(
  bytes: Uint8Array,
  code: "reply-syntax" | "request-syntax",
): { type: BinRpcPacketType; bodyAt: number; bodyLength: number; cookie: number } | null {
  if (bytes.length < 4) return null;
  if (bytes[0] !== _MAGIC_BYTE) {
    const first = `0x${bytes[0].toString(16).padStart(2, "0")}`;
    throw new BinRpcSyntaxError(`not a binrpc version 1 packet: first byte "${first}"`, 0, {
      code,
    });
  }
  const type = TYPES[bytes[1] >> 4];
  if (type === undefined) {
    throw new BinRpcSyntaxError(`unknown packet type "${bytes[1] >> 4}"`, 1, { code });
  }
  const ll = ((bytes[1] >> 2) & 3) + 1;
  const cl = (bytes[1] & 3) + 1;
  if (bytes.length < 2 + ll + cl) return null;
  let bodyLength = 0;
  for (let i = 0; i < ll; i++) bodyLength = bodyLength * 256 + bytes[2 + i];
  let cookie = 0;
  for (let i = 0; i < cl; i++) cookie = cookie * 256 + bytes[2 + ll + i];
  return { type, bodyAt: 2 + ll + cl, bodyLength, cookie };
}

/**
 * Reads one packet from the start of `bytes` (bytes after it are left
 * alone). Accepts the length and cookie on 1 to 4 bytes. Throws
 * {@linkcode BinRpcSyntaxError}: bad magic or version, unknown type, or
 * `truncated` when the bytes stop before the header or body ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPacket } from "./read_packet.ts";
 * const p = readPacket(Uint8Array.from([0xa1, 0x13, 0x02, 0, 0, 0, 0x12, 0x10, 0x02]));
 * assert.equal(p.type, "reply");
 * assert.equal(p.cookie, 0x12);
 * assert.deepEqual(p.body, Uint8Array.from([0x10, 0x02]));
 * ```
 */
export function readPacket(
  bytes: Uint8Array,
  options: { code?: "reply-syntax" | "request-syntax" } = {},
): ReadPacket {
  const code = options.code ?? "reply-syntax";
  const head = _readHeader(bytes, code);
  const truncated = {
    code: code === "reply-syntax" ? "truncated-reply" as const : code,
    truncated: true,
  };
  if (head === null) {
    throw new BinRpcSyntaxError(
      `packet header cut after ${bytes.length} bytes`,
      bytes.length,
      truncated,
    );
  }
  const length = head.bodyAt + head.bodyLength;
  if (bytes.length < length) {
    throw new BinRpcSyntaxError(
      `packet of ${length} bytes cut after ${bytes.length}`,
      bytes.length,
      truncated,
    );
  }
  return {
    type: head.type,
    cookie: head.cookie,
    body: bytes.subarray(head.bodyAt, length),
    length,
  };
}
