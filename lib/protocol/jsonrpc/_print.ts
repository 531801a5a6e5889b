/**
 * The JSON printer of the C servers: cJSON (OpenSIPS) and srjson (Kamailio)
 * layouts, compact or "formatted" (tabs, `"name":\tvalue`, arrays on one
 * line with `, `), their number formats, and their string escapes (only `"`,
 * `\` and bytes below 32 are escaped; a string ends at its first NUL, as a C
 * string does). With a `limit`, the output is checked as cJSON's
 * preallocated buffer checks it (each piece must fit with room to spare),
 * and `null` says it did not fit.
 *
 * @module
 */
import { type Flavour, formatCNumber } from "./_c_number.ts";
import { Double, isStruct, structEntries, type Value } from "../value.ts";

/** How to print. */
export interface PrintOptions {
  flavour: Flavour;
  pretty: boolean;
  /** cJSON's buffer size (the NUL included); `null` for no limit. */
  limit: number | null;
}

const encoder = new TextEncoder();

class TooLarge {}

class Out {
  buf = new Uint8Array(256);
  len = 0;
  readonly limit: number | null;
  constructor(limit: number | null) {
    this.limit = limit;
  }
  /** cJSON `ensure(p, n)`: fails when `n` more bytes do not fit. */
  need(n: number): void {
    if (this.limit !== null && this.len + n > this.limit) throw new TooLarge();
  }
  grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(c: number): void {
    this.grow(1);
    this.buf[this.len++] = c;
  }
  ascii(s: string): void {
    this.grow(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }
  tabs(n: number): void {
    for (let i = 0; i < n; i++) this.byte(9);
  }
}

/** The bytes of a string value, cut at the first NUL. */
export function cStringBytes(v: string | Uint8Array): Uint8Array {
  const b = typeof v === "string" ? encoder.encode(v) : v;
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

/** The escapes cJSON and srjson write as a backslash and a letter. */
const SHORT_ESCAPES: [byte: number, letter: number][] = [
  [0x22, 0x22], // "
  [0x5c, 0x5c], // \
  [8, 0x62], // b
  [12, 0x66], // f
  [10, 0x6e], // n
  [13, 0x72], // r
  [9, 0x74], // t
];

/** Per byte: 0 to copy it, the letter of its short escape, or 1 for `\u00XX`. */
const ESCAPE = new Uint8Array(256);
for (let c = 0; c < 32; c++) ESCAPE[c] = 1;
for (const [c, letter] of SHORT_ESCAPES) ESCAPE[c] = letter;

function str(out: Out, v: string | Uint8Array): void {
  // Most strings (names, versions, numbers as text) are printable ASCII with
  // nothing to escape: written as they are, with no UTF-8 encoding step.
  if (typeof v === "string") {
    let plain = true;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80 || ESCAPE[c] !== 0) {
        plain = false;
        break;
      }
    }
    if (plain) {
      out.need(v.length + 3);
      out.byte(0x22);
      out.ascii(v);
      out.byte(0x22);
      return;
    }
  }
  const b = cStringBytes(v);
  let len = 0;
  for (const c of b) len += ESCAPE[c] === 0 ? 1 : ESCAPE[c] === 1 ? 6 : 2;
  out.need(len + 3);
  out.byte(0x22);
  for (const c of b) {
    const e = ESCAPE[c];
    if (e === 0) out.byte(c);
    else if (e === 1) out.ascii(`\\u${c.toString(16).padStart(4, "0")}`);
    else out.byte(0x5c), out.byte(e);
  }
  out.byte(0x22);
}

function num(out: Out, d: number, o: PrintOptions): void {
  const text = formatCNumber(d, o.flavour);
  // cJSON reserves 2 bytes for 0, 21 for an integer, 64 for anything else.
  out.need(d === 0 ? 2 : Number.isInteger(d) && d >= -2147483648 && d <= 2147483647 ? 21 : 64);
  out.ascii(text);
}

function val(out: Out, v: Value | undefined, depth: number, o: PrintOptions): void {
  if (v === null || v === undefined) {
    out.need(5);
    out.ascii("null");
  } else if (v === true) {
    out.need(5);
    out.ascii("true");
  } else if (v === false) {
    out.need(6);
    out.ascii("false");
  } else if (typeof v === "number") num(out, v, o);
  else if (v instanceof Double) num(out, v.value, o);
  else if (typeof v === "string" || v instanceof Uint8Array) str(out, v);
  else if (Array.isArray(v)) {
    const items = v as readonly Value[];
    if (items.length === 0) {
      out.need(3);
      out.ascii("[]");
      return;
    }
    out.need(1);
    out.byte(0x5b);
    items.forEach((item, i) => {
      val(out, item, depth + 1, o);
      if (i < items.length - 1) {
        out.need(o.pretty ? 3 : 2);
        out.ascii(o.pretty ? ", " : ",");
      }
    });
    out.need(2);
    out.byte(0x5d);
  } else if (isStruct(v)) {
    const entries = structEntries(v);
    if (entries.length === 0) {
      out.need(o.pretty ? depth + 4 : 3);
      out.byte(0x7b);
      if (o.pretty) {
        out.byte(10);
        out.tabs(depth);
      }
      out.byte(0x7d);
      return;
    }
    out.need(o.pretty ? 3 : 2);
    out.byte(0x7b);
    if (o.pretty) out.byte(10);
    const d = depth + 1;
    entries.forEach(([name, item], i) => {
      if (o.pretty) {
        out.need(d);
        out.tabs(d);
      }
      str(out, name);
      out.need(o.pretty ? 2 : 1);
      out.byte(0x3a);
      if (o.pretty) out.byte(9);
      val(out, item, d, o);
      const last = i === entries.length - 1;
      out.need((o.pretty ? 1 : 0) + (last ? 0 : 1) + 1);
      if (!last) out.byte(0x2c);
      if (o.pretty) out.byte(10);
    });
    out.need(o.pretty ? d + 1 : 2);
    if (o.pretty) out.tabs(d - 1);
    out.byte(0x7d);
  } else {
    out.need(5);
    out.ascii("null");
  }
}

/**
 * Prints a value as the server's C library would; `null` when it does not
 * fit in `limit`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printJson } from "./_print.ts";
 * const b = printJson({ a: [1, 1.5] }, { flavour: "opensips", pretty: false, limit: null });
 * assert.equal(new TextDecoder().decode(b!), '{"a":[1,1.500000]}');
 * ```
 */
export function printJson(value: Value, options: PrintOptions): Uint8Array | null {
  const out = new Out(options.limit);
  try {
    val(out, value, 0, options);
  } catch (e) {
    if (e instanceof TooLarge) return null;
    throw e;
  }
  return out.buf.slice(0, out.len);
}
