// Writes values as Kamailio's ctl writes them (binrpc_add_*), with ctl's body
// limits for the server. Shared by writeRecords(), the codecs and formatKamcmd().
import { concatBytes } from "../../bytes.ts";
import { MidgramError } from "../../errors.ts";
import { Double, isInteger, isStruct, type Struct, structEntries, type Value } from "../value.ts";
import { _T_AVP, _T_BYTES, _T_DOUBLE, _T_INT, _T_STR, _T_STRUCT } from "./_constants.ts";

const encoder = new TextEncoder();
const INT64_MIN = -(2n ** 63n);
/** What ctl writes for a NULL string (`rpc->add("s", NULL)`). */
export const _NULL_STRING = "<null string>";

/** Fewest big-endian bytes of an unsigned 32-bit number (0 for 0). */
export function _uintBytes(u: number): number[] {
  const v = u >>> 0;
  // Big-endian, without leading zero bytes (none at all for 0).
  const size = v === 0 ? 0 : v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4;
  const out = new Array<number>(size);
  for (let i = size - 1, rest = v; i >= 0; i--, rest = Math.floor(rest / 256)) out[i] = rest % 256;
  return out;
}

function intRecord(i: number): number[] {
  const b = _uintBytes(i | 0);
  return [(b.length << 4) | _T_INT, ...b];
}

/** Kamailio's `(long long)(f*1000)` on x86-64: NaN and overflow give INT64_MIN. */
export function _fixedPoint(f: number): bigint {
  const x = f * 1000;
  if (!Number.isFinite(x) || x >= 2 ** 63 || x < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(x));
}

function doubleRecord(f: number): number[] {
  let u = BigInt.asUintN(64, _fixedPoint(f));
  const b: number[] = [];
  for (; u !== 0n; u >>= 8n) b.unshift(Number(u & 0xffn));
  return [(b.length << 4) | _T_DOUBLE, ...b];
}

function strRecord(data: Uint8Array, type: number, nul: boolean): Uint8Array {
  const l = data.length + (nul ? 1 : 0);
  const head = l < 8 ? [(l << 4) | type] : (() => {
    const b = _uintBytes(l);
    return [((8 | b.length) << 4) | type, ...b];
  })();
  // One byte more than the data when `nul`: the new array's last byte is the NUL.
  const out = new Uint8Array(head.length + l);
  out.set(head);
  out.set(data, head.length);
  return out;
}

type Node =
  | { kind: "scalar"; bytes: Uint8Array; mark: string }
  | { kind: "struct"; members: [Uint8Array, Node][] }
  | { kind: "array"; items: Node[] };

function toNode(value: Value): Node {
  if (value === null) return scalar(strRecord(encoder.encode(_NULL_STRING), _T_STR, true), "s");
  if (typeof value === "boolean") return scalar(new Uint8Array(intRecord(value ? 1 : 0)), "b");
  if (typeof value === "number") {
    return isInteger(value)
      ? scalar(new Uint8Array(intRecord(value)), "d")
      : scalar(new Uint8Array(doubleRecord(value)), "f");
  }
  if (typeof value === "string") return scalar(strRecord(encoder.encode(value), _T_STR, true), "s");
  if (value instanceof Double) return scalar(new Uint8Array(doubleRecord(value.value)), "f");
  if (value instanceof Uint8Array) return scalar(strRecord(value, _T_BYTES, false), "s");
  if (Array.isArray(value)) return { kind: "array", items: value.map(toNode) };
  if (isStruct(value)) {
    return {
      kind: "struct",
      members: structEntries(value as Struct).map((
        [name, v],
      ) => [strRecord(encoder.encode(name), _T_AVP, true), toNode(v)]),
    };
  }
  throw new MidgramError("unrepresentable", `Cannot write "${String(value)}" as a binrpc record`);
}

function scalar(bytes: Uint8Array, mark: string): Node {
  return { kind: "scalar", bytes, mark };
}

/** ctl's limits: the reply body buffer and the buffer of each struct or array. */
export interface _Limits {
  body: number;
  struct: number;
}

/**
 * Drops what ctl drops: a member or element that does not fit its struct's
 * buffer is left out (`rpc->struct_add()` fails and the handler goes on).
 */
function fitContainer(node: Node, limit: number): Node {
  if (node.kind === "scalar") return node;
  let room = limit;
  if (node.kind === "struct") {
    const members: [Uint8Array, Node][] = [];
    for (const [name, v] of node.members) {
      const need = name.length + (v.kind === "scalar" ? v.bytes.length : 2);
      if (need > room) continue;
      room -= need;
      members.push([name, fitContainer(v, limit)]);
    }
    return { kind: "struct", members };
  }
  const items: Node[] = [];
  for (const v of node.items) {
    const need = v.kind === "scalar" ? v.bytes.length : 2;
    if (need > room) continue;
    room -= need;
    items.push(fitContainer(v, limit));
  }
  return { kind: "array", items };
}

function emit(node: Node, out: Uint8Array[]): void {
  if (node.kind === "scalar") {
    out.push(node.bytes);
    return;
  }
  out.push(Uint8Array.of(_T_STRUCT)); // ctl writes arrays as structs too
  if (node.kind === "struct") {
    for (const [name, v] of node.members) {
      out.push(name);
      emit(v, out);
    }
  } else for (const v of node.items) emit(v, out);
  out.push(Uint8Array.of(0x80 | _T_STRUCT));
}

/** The records of `values`, one after the other, as ctl writes them. */
export function _writeValues(values: readonly Value[]): Uint8Array {
  const out: Uint8Array[] = [];
  for (const v of values) emit(toNode(v), out);
  return concatBytes(out);
}

/**
 * A reply body within ctl's limits, or the `rpc->add()` format character at
 * which the body buffer overflowed (ctl then answers with a fault).
 */
export function _writeReplyBody(
  values: readonly Value[],
  limits: _Limits,
): { body: Uint8Array } | { overflow: string } {
  let room = limits.body;
  const out: Uint8Array[] = [];
  for (const value of values) {
    const node = toNode(value);
    if (node.kind === "scalar") {
      if (node.bytes.length > room) return { overflow: node.mark };
      room -= node.bytes.length;
      out.push(node.bytes);
      continue;
    }
    if (room < 2) return { overflow: node.kind === "struct" ? "{" : "[" };
    room -= 2;
    emit(fitContainer(node, limits.struct), out);
  }
  return { body: concatBytes(out) };
}
