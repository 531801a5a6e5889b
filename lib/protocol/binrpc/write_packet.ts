import { concatBytes } from "../../bytes.ts";
import { _MAGIC_BYTE, _PKT_FAULT, _PKT_REPLY, _PKT_REQUEST } from "./_constants.ts";
import { _uintBytes } from "./_write.ts";
import type { BinRpcPacket } from "./binrpc_packet.ts";

const TYPES = { request: _PKT_REQUEST, reply: _PKT_REPLY, fault: _PKT_FAULT } as const;

/**
 * Writes a packet as Kamailio does: magic and version `0xA1`, then the type
 * and the body length and cookie each on the fewest bytes (at least one).
 * The cookie is taken as an unsigned 32-bit number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writePacket } from "./write_packet.ts";
 * const body = Uint8Array.from([0x10, 0x02]);
 * assert.deepEqual(
 *   writePacket({ type: "reply", cookie: 0x12, body }),
 *   Uint8Array.from([0xa1, 0x10, 0x02, 0x12, 0x10, 0x02]),
 * );
 * ```
 */
export function writePacket(packet: BinRpcPacket): Uint8Array {
  const len = _uintBytes(packet.body.length);
  const cookie = _uintBytes(packet.cookie >>> 0);
  if (len.length === 0) len.push(0);
  if (cookie.length === 0) cookie.push(0);
  const head = [
    _MAGIC_BYTE,
    (TYPES[packet.type] << 4) | ((len.length - 1) << 2) | (cookie.length - 1),
    ...len,
    ...cookie,
  ];
  return concatBytes([Uint8Array.from(head), packet.body]);
}
