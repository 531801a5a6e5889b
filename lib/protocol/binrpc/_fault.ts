// A fault packet as ctl's rpc_fault() writes it.
import { _T_STR } from "./_constants.ts";
import { _uintBytes } from "./_write.ts";
import { writePacket } from "./write_packet.ts";

const encoder = new TextEncoder();

/** ctl formats the message into 256 bytes: at most 255 bytes and the NUL. */
export const _MAX_FAULT_TEXT = 255;

/** The fault packet with this cookie, code and message (cut to 255 bytes). */
export function _faultPacket(cookie: number, code: number, message: string): Uint8Array {
  const text = encoder.encode(message).subarray(0, _MAX_FAULT_TEXT);
  const l = text.length + 1;
  const codeBytes = _uintBytes(code | 0);
  const lenBytes = l < 8 ? [] : _uintBytes(l);
  const head = [
    codeBytes.length << 4,
    ...codeBytes,
    l < 8 ? (l << 4) | _T_STR : ((8 | lenBytes.length) << 4) | _T_STR,
    ...lenBytes,
  ];
  const body = new Uint8Array(head.length + l);
  body.set(head);
  body.set(text, head.length);
  return writePacket({ type: "fault", cookie, body });
}
