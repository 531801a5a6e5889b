/**
 * The JSON reader of the C servers, re-done with positions: OpenSIPS 3.6's
 * cJSON and Kamailio's srjson. Both read a C string (the text ends at the
 * first NUL), treat every byte from 1 to 32 as white space, stop after the
 * first complete value, and keep object members in order, duplicates
 * included (lookups are case-insensitive, first match wins: see
 * {@linkcode getMember}). Strings are kept as bytes, exactly as the C code
 * unescapes them.
 *
 * @module
 */
import { cStrtod, type Flavour, srjsonNumber } from "./_c_number.ts";

/** A parsed JSON value with its byte range. */
export type JNode =
  & { start: number; end: number }
  & (
    | { type: "null" | "true" | "false" }
    | { type: "number"; value: number; text: string }
    | { type: "string"; bytes: Uint8Array }
    | { type: "array"; items: JNode[] }
    | { type: "object"; members: JMember[] }
  );

/** One object member. */
export interface JMember {
  key: Uint8Array;
  keyStart: number;
  value: JNode;
}

/** Where and why reading failed. */
export interface JFailure {
  offset: number;
  message: string;
}

/** What {@linkcode readJson} gives. */
export type JRead = { ok: true; node: JNode; end: number } | { ok: false; error: JFailure };

/** Deepest nesting read (the C code has no limit; a JS stack has one). */
export const MAX_DEPTH = 1000;

class Fail {
  readonly offset: number;
  readonly message: string;

  constructor(offset: number, message: string) {
    this.offset = offset;
    this.message = message;
  }
}

const skip = (b: Uint8Array, p: number, end: number) => {
  while (p < end && b[p] <= 32) p++;
  return p;
};

function startsWith(b: Uint8Array, p: number, end: number, word: string): boolean {
  if (p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) return false;
  return true;
}

function describe(b: Uint8Array, p: number, end: number): string {
  if (p >= end) return "end of input";
  const c = b[p];
  return c >= 0x21 && c < 0x7f
    ? `'${String.fromCharCode(c)}'`
    : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

function hex4(b: Uint8Array, p: number, end: number): number {
  let h = 0;
  for (let i = 0; i < 4; i++) {
    const c = p + i < end ? b[p + i] : 0;
    let v: number;
    if (c >= 0x30 && c <= 0x39) v = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) v = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) v = c - 0x57;
    else return 0;
    h = h * 16 + v;
  }
  return h;
}

function pushUtf8(out: number[], uc: number): void {
  if (uc < 0x80) out.push(uc);
  else if (uc < 0x800) out.push(0xc0 | (uc >> 6), 0x80 | (uc & 0x3f));
  else if (uc < 0x10000) {
    out.push(0xe0 | (uc >> 12), 0x80 | ((uc >> 6) & 0x3f), 0x80 | (uc & 0x3f));
  } else {
    out.push(
      0xf0 | ((uc >> 18) & 0x07),
      0x80 | ((uc >> 12) & 0x3f),
      0x80 | ((uc >> 6) & 0x3f),
      0x80 | (uc & 0x3f),
    );
  }
}

const ESCAPES: Record<number, number> = { 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };

/** cJSON `parse_string`: strict escapes, an unterminated string runs to the end. */
function stringCJson(
  b: Uint8Array,
  start: number,
  end: number,
): { bytes: Uint8Array; end: number } {
  let e = start + 1;
  while (e < end && b[e] !== 0x22) {
    if (b[e++] === 0x5c) {
      if (e >= end) throw new Fail(e - 1, "a backslash ends the input");
      e++;
    }
  }
  if (e > end) e = end;
  const out: number[] = [];
  let p = start + 1;
  while (p < e) {
    if (b[p] !== 0x5c) {
      out.push(b[p++]);
      continue;
    }
    const at = p;
    p++;
    const c = b[p];
    if (c in ESCAPES) out.push(ESCAPES[c]);
    else if (c === 0x22 || c === 0x5c || c === 0x2f) out.push(c);
    else if (c === 0x75) {
      let uc = hex4(b, p + 1, end);
      p += 4;
      if (p >= e) throw new Fail(at, "a \\u escape needs four hex digits");
      if ((uc >= 0xdc00 && uc <= 0xdfff) || uc === 0) {
        throw new Fail(
          at,
          uc === 0 ? "invalid \\u escape (bad hex digits or \\u0000)" : "a lone low surrogate",
        );
      }
      if (uc >= 0xd800 && uc <= 0xdbff) {
        if (p + 6 > e || b[p + 1] !== 0x5c || b[p + 2] !== 0x75) {
          throw new Fail(at, "a high surrogate without its low half");
        }
        const uc2 = hex4(b, p + 3, end);
        p += 6;
        if (uc2 < 0xdc00 || uc2 > 0xdfff) throw new Fail(at, "an invalid low surrogate");
        uc = 0x10000 + (((uc & 0x3ff) << 10) | (uc2 & 0x3ff));
      }
      pushUtf8(out, uc);
    } else {throw new Fail(
        at,
        `invalid escape '\\${c === undefined ? "" : String.fromCharCode(c)}'`,
      );}
    p++;
  }
  if (p < end && b[p] === 0x22) p++;
  return { bytes: Uint8Array.from(out), end: p };
}

function hex4Loose(b: Uint8Array, p: number, end: number): number {
  // sscanf("%4x"): up to four hex digits; none leaves the value unset (taken as 0).
  let h = 0;
  for (let i = 0; i < 4 && p + i < end; i++) {
    const c = b[p + i];
    const v = c >= 0x30 && c <= 0x39
      ? c - 0x30
      : c >= 0x41 && c <= 0x46
      ? c - 0x37
      : c >= 0x61 && c <= 0x66
      ? c - 0x57
      : -1;
    if (v < 0) break;
    h = h * 16 + v;
  }
  return h;
}

/** srjson `parse_string`: never fails; unknown escapes keep the character. */
function stringSrjson(
  b: Uint8Array,
  start: number,
  end: number,
): { bytes: Uint8Array; end: number } {
  const out: number[] = [];
  let p = start + 1;
  while (p < end && b[p] !== 0x22) {
    if (b[p] !== 0x5c) {
      out.push(b[p++]);
      continue;
    }
    p++;
    if (p >= end) break;
    const c = b[p];
    if (c in ESCAPES) out.push(ESCAPES[c]);
    else if (c === 0x75) {
      let uc = hex4Loose(b, p + 1, end);
      p += 4;
      if (!((uc >= 0xdc00 && uc <= 0xdfff) || uc === 0)) {
        let ok = true;
        if (uc >= 0xd800 && uc <= 0xdbff) {
          if (b[p + 1] !== 0x5c || b[p + 2] !== 0x75) ok = false;
          else {
            const uc2 = hex4Loose(b, p + 3, end);
            p += 6;
            if (uc2 < 0xdc00 || uc2 > 0xdfff) ok = false;
            else uc = 0x10000 | ((uc & 0x3ff) << 10) | (uc2 & 0x3ff);
          }
        }
        if (ok) pushUtf8(out, uc);
      }
    } else out.push(c);
    p++;
  }
  if (p > end) p = end;
  if (p < end && b[p] === 0x22) p++;
  return { bytes: Uint8Array.from(out), end: p };
}

function value(b: Uint8Array, p: number, end: number, f: Flavour, depth: number): JNode {
  if (depth > MAX_DEPTH) throw new Fail(p, `nesting deeper than ${MAX_DEPTH} levels`);
  if (startsWith(b, p, end, "null")) return { type: "null", start: p, end: p + 4 };
  if (startsWith(b, p, end, "false")) return { type: "false", start: p, end: p + 5 };
  if (startsWith(b, p, end, "true")) return { type: "true", start: p, end: p + 4 };
  const c = b[p];
  if (c === 0x22) {
    const s = f === "opensips" ? stringCJson(b, p, end) : stringSrjson(b, p, end);
    return { type: "string", bytes: s.bytes, start: p, end: s.end };
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    const n = f === "opensips" ? cStrtod(b, p, end) : srjsonNumber(b, p, end);
    if (n === null) throw new Fail(p, "expected a number");
    let text = "";
    for (let i = p; i < n.end; i++) text += String.fromCharCode(b[i]);
    return { type: "number", value: n.value, text, start: p, end: n.end };
  }
  if (c === 0x5b) {
    const items: JNode[] = [];
    let q = skip(b, p + 1, end);
    if (q < end && b[q] === 0x5d) return { type: "array", items, start: p, end: q + 1 };
    while (true) {
      const item = value(b, skip(b, q, end), end, f, depth + 1);
      items.push(item);
      q = skip(b, item.end, end);
      if (q < end && b[q] === 0x2c) {
        q++;
        continue;
      }
      if (q < end && b[q] === 0x5d) return { type: "array", items, start: p, end: q + 1 };
      throw new Fail(q, `expected ',' or ']' but found ${describe(b, q, end)}`);
    }
  }
  if (c === 0x7b) {
    const members: JMember[] = [];
    let q = skip(b, p + 1, end);
    if (q < end && b[q] === 0x7d) return { type: "object", members, start: p, end: q + 1 };
    while (true) {
      q = skip(b, q, end);
      if (q >= end || b[q] !== 0x22) {
        throw new Fail(q, `expected a member name in quotes but found ${describe(b, q, end)}`);
      }
      const keyStart = q;
      const key = f === "opensips" ? stringCJson(b, q, end) : stringSrjson(b, q, end);
      q = skip(b, key.end, end);
      if (q >= end || b[q] !== 0x3a) {
        throw new Fail(q, `expected ':' but found ${describe(b, q, end)}`);
      }
      const v = value(b, skip(b, q + 1, end), end, f, depth + 1);
      members.push({ key: key.bytes, keyStart, value: v });
      q = skip(b, v.end, end);
      if (q < end && b[q] === 0x2c) {
        q++;
        continue;
      }
      if (q < end && b[q] === 0x7d) return { type: "object", members, start: p, end: q + 1 };
      throw new Fail(q, `expected ',' or '}' but found ${describe(b, q, end)}`);
    }
  }
  throw new Fail(p, `expected a value but found ${describe(b, p, end)}`);
}

/**
 * Reads the first JSON value of `bytes` (up to the first NUL) as the C
 * server does; what follows it is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readJson } from "./_cjson.ts";
 * const r = readJson(new TextEncoder().encode(' {"a":1} tail'), "opensips");
 * assert.equal(r.ok && r.end, 8);
 * ```
 */
export function readJson(bytes: Uint8Array, flavour: Flavour): JRead {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  try {
    const node = value(bytes, skip(bytes, 0, end), end, flavour, 0);
    return { ok: true, node, end: node.end };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: { offset: e.offset, message: e.message } };
    if (e instanceof RangeError) {
      return { ok: false, error: { offset: 0, message: "nesting too deep" } };
    }
    throw e;
  }
}

const lc = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 32 : c);

/** Whether a member name equals `name`, ignoring ASCII case (C `tolower`). */
export function nameIs(key: Uint8Array, name: string): boolean {
  if (key.length !== name.length) return false;
  for (let i = 0; i < key.length; i++) if (lc(key[i]) !== lc(name.charCodeAt(i))) return false;
  return true;
}

/** cJSON_GetObjectItem: the first member named `name`, any case; `undefined` for non-objects. */
export function getMember(node: JNode, name: string): JMember | undefined {
  if (node.type !== "object") return undefined;
  return node.members.find((m) => nameIs(m.key, name));
}
