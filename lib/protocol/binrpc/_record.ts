// Reads one record as Kamailio's binrpc_read_record() does, for every reader
// of this folder (values, kamcmd printing, request parameters).
import {
  _ERR_EOP,
  _ERR_MORE_DATA,
  _ERR_RECORD,
  _ERR_TYPE,
  _T_ARRAY,
  _T_AVP,
  _T_BYTES,
  _T_DOUBLE,
  _T_INT,
  _T_STR,
  _T_STRUCT,
} from "./_constants.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";

/** Where a record reader stands: Kamailio counts open structs and arrays, it keeps no stack. */
export interface _Cursor {
  bytes: Uint8Array;
  pos: number;
  end: number;
  inStruct: number;
  inArray: number;
  /**
   * Kamailio's `smode`: accept plain values, struct starts and arrays inside
   * a struct (kamcmd reading replies, whose arrays are structs of plain values).
   */
  lenient: boolean;
}

/** A cursor at the start of `bytes`, outside any struct or array. */
export function _cursor(bytes: Uint8Array, lenient: boolean): _Cursor {
  return { bytes, pos: 0, end: bytes.length, inStruct: 0, inArray: 0, lenient };
}

/** One record as read. */
export interface _Record {
  type: number;
  /** The member name of an avp (bytes, without the NUL), else null. */
  name: Uint8Array | null;
  /** Struct or array: an end mark. */
  end: boolean;
  /** int: the signed 32-bit value; double: the 64-bit fixed-point value (×1000). */
  int: number;
  big: bigint;
  /** str (without the final byte) and bytes. */
  data: Uint8Array;
  /** Offset of the record's first byte. */
  at: number;
}

/**
 * A record that cannot be read: Kamailio's error text as the detail, the
 * record's offset in the bytes read, truncated when more bytes could mend it.
 * The readers of this folder give it their own code and offset base.
 */
function fail(text: string, at: number, truncated: boolean): BinRpcSyntaxError {
  return new BinRpcSyntaxError(text, at, { truncated });
}

const EMPTY = new Uint8Array(0);

function uint(bytes: Uint8Array, from: number, n: number): number {
  let u = 0;
  for (let i = 0; i < n; i++) u = ((u << 8) | bytes[from + i]) >>> 0;
  return u;
}

function int64(bytes: Uint8Array, from: number, n: number): bigint {
  let u = 0n;
  for (let i = 0; i < n; i++) u = ((u << 8n) | BigInt(bytes[from + i])) & 0xffffffffffffffffn;
  return BigInt.asIntN(64, u);
}

/**
 * Reads the record at `c.pos`, advancing it; throws a
 * {@linkcode BinRpcSyntaxError} whose detail is Kamailio's error text.
 */
export function _readRecord(c: _Cursor): _Record {
  return read(c, null);
}

function read(c: _Cursor, name: Uint8Array | null): _Record {
  const { bytes } = c;
  const at = c.pos;
  if (at >= c.end) throw fail(_ERR_EOP, at, false);
  const head = bytes[at];
  const type = head & 0xf;
  let len = head >> 4;
  let p = at + 1;
  let endTag = false;
  if (type !== _T_DOUBLE && (len & 8)) {
    endTag = true;
    const n = len & 7;
    if (p + n > c.end) throw fail(_ERR_MORE_DATA, at, true);
    len = uint(bytes, p, n);
    p += n;
  }
  if (len > c.end - p) throw fail(_ERR_MORE_DATA, at, true);
  const rec: _Record = { type, name, end: false, int: 0, big: 0n, data: EMPTY, at };
  const strict = c.inStruct > 0 && !c.lenient;
  switch (type) {
    case _T_STRUCT:
      // The length of a struct mark is checked but never skipped, as in ctl.
      if (c.inStruct > 0) {
        if (endTag) {
          c.inStruct--;
          rec.end = true;
        } else if (!c.lenient) throw fail(_ERR_RECORD, at, false);
        else c.inStruct++;
      } else {
        if (endTag) throw fail(_ERR_RECORD, at, false);
        c.inStruct++;
      }
      break;
    case _T_AVP: {
      if (c.inStruct === 0) throw fail(_ERR_TYPE, at, false);
      const member = bytes.subarray(p, p + Math.max(len - 1, 0));
      p += len;
      if (p >= c.end) throw fail(_ERR_MORE_DATA, at, true);
      const valueType = bytes[p] & 0xf;
      if (valueType === _T_AVP || valueType === _T_ARRAY) {
        throw fail(_ERR_RECORD, p, false);
      }
      const outer = c.inStruct;
      c.inStruct = 0; // as ctl: the value is read as a top-level record
      c.pos = p;
      try {
        const value = read(c, member);
        c.inStruct += outer;
        return value;
      } catch (e) {
        c.inStruct = outer;
        c.pos = at;
        throw e;
      }
    }
    case _T_INT:
      if (strict) throw fail(_ERR_RECORD, at, false);
      rec.int = uint(bytes, p, len) | 0;
      p += len;
      break;
    case _T_STR:
      if (strict) throw fail(_ERR_RECORD, at, false);
      rec.data = bytes.subarray(p, p + Math.max(len - 1, 0)); // the last byte is the NUL
      p += len;
      break;
    case _T_BYTES:
      if (strict) throw fail(_ERR_RECORD, at, false);
      rec.data = bytes.subarray(p, p + len);
      p += len;
      break;
    case _T_ARRAY:
      if (strict) throw fail(_ERR_RECORD, at, false);
      if (endTag) {
        if (c.inArray === 0) throw fail(_ERR_RECORD, at, false);
        c.inArray--;
        rec.end = true;
      } else c.inArray++;
      break;
    case _T_DOUBLE:
      if (strict) throw fail(_ERR_RECORD, at, false);
      rec.big = int64(bytes, p, len);
      p += len;
      break;
    default:
      throw fail(c.inStruct > 0 ? _ERR_RECORD : _ERR_TYPE, at, false);
  }
  c.pos = p;
  return rec;
}
