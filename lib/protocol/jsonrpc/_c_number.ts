/**
 * Numbers as the C servers read and write them: `strtod` (OpenSIPS's cJSON),
 * srjson's own digit loop (Kamailio), the saturating `valueint`, and the
 * `printf` formats (`%d`, `%.0f`, `%f`, `%e`) their printers choose between.
 * The formats are computed exactly (BigInt), with ties to even as glibc does.
 *
 * @module
 */

/** Which C JSON library's rules apply. */
export type Flavour = "opensips" | "kamailio";

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
const DBL_EPSILON = 2.220446049250313e-16;

/**
 * cJSON's `valueint`: saturated at the 32-bit limits, truncated otherwise
 * (NaN gives `INT_MIN`, as x86-64's conversion does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cValueInt } from "./_c_number.ts";
 * assert.equal(cValueInt(1.5), 1);
 * assert.equal(cValueInt(1e10), 2147483647);
 * ```
 */
export function cValueInt(d: number): number {
  if (d >= INT_MAX) return INT_MAX;
  if (d <= INT_MIN) return INT_MIN;
  if (Number.isNaN(d)) return INT_MIN;
  return Math.trunc(d);
}

/** x = n / 10^scale exactly, for a finite x >= 0. */
function exact(x: number): { n: bigint; scale: number } {
  if (x === 0) return { n: 0n, scale: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  if (e >= 0) return { n: mant << BigInt(e), scale: 0 };
  return { n: mant * 5n ** BigInt(-e), scale: -e };
}

/** n / 10^k rounded to nearest, ties to even. */
function divRound(n: bigint, k: number): bigint {
  if (k <= 0) return n * 10n ** BigInt(-k);
  const d = 10n ** BigInt(k);
  const q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** C `%.{p}f`. */
export function cFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return cNonFinite(x, false);
  const neg = x < 0 || Object.is(x, -0);
  const { n, scale } = exact(Math.abs(x));
  const q = divRound(n, scale - p).toString().padStart(p + 1, "0");
  const body = p === 0 ? q : `${q.slice(0, q.length - p)}.${q.slice(q.length - p)}`;
  return (neg ? "-" : "") + body;
}

/** C `%e` (precision 6). */
export function cExp(x: number): string {
  if (!Number.isFinite(x)) return cNonFinite(x, false);
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let digits: string;
  let e10: number;
  if (a === 0) {
    digits = "0000000";
    e10 = 0;
  } else {
    const { n, scale } = exact(a);
    const len = n.toString().length;
    e10 = len - 1 - scale;
    let q = divRound(n, len - 7);
    if (q >= 10000000n) {
      q = divRound(q, 1);
      e10++;
    }
    digits = q.toString();
  }
  const ae = Math.abs(e10);
  return `${neg ? "-" : ""}${digits[0]}.${digits.slice(1)}e${e10 < 0 ? "-" : "+"}${
    ae < 10 ? "0" : ""
  }${ae}`;
}

function cNonFinite(x: number, _upper: boolean): string {
  if (Number.isNaN(x)) return "-nan";
  return x < 0 ? "-inf" : "inf";
}

/**
 * How the server's JSON printer writes a number: cJSON (OpenSIPS) or srjson
 * (Kamailio). Whole numbers in the 32-bit range print as integers; other
 * whole numbers as `%.0f`; tiny or huge ones as `%e`; the rest as `%f`
 * (six decimals: `1.5` is `1.500000`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatCNumber } from "./_c_number.ts";
 * assert.equal(formatCNumber(1.5, "opensips"), "1.500000");
 * assert.equal(formatCNumber(3e9, "opensips"), "3000000000");
 * ```
 */
export function formatCNumber(d: number, flavour: Flavour): string {
  if (flavour === "opensips") {
    if (d === 0) return "0";
    const vi = cValueInt(d);
    if (Math.abs(vi - d) <= DBL_EPSILON && d <= INT_MAX && d >= INT_MIN) return String(vi);
    if (!Number.isFinite(d)) return "null";
    if (Math.abs(Math.floor(d) - d) <= DBL_EPSILON && Math.abs(d) < 1e60) return cFixed(d, 0);
    if (Math.abs(d) < 1e-6 || Math.abs(d) > 1e9) return cExp(d);
    return cFixed(d, 6);
  }
  // srjson: `i = (int)d`; out-of-range conversions fail the range test anyway.
  if (d <= INT_MAX && d >= INT_MIN && Math.abs(Math.trunc(d) - d) <= DBL_EPSILON) {
    return String(Math.trunc(d) | 0);
  }
  if (Number.isNaN(d)) return "-nan";
  if (Math.abs(Math.floor(d) - d) <= DBL_EPSILON) return cFixed(d, 0);
  if (Math.abs(d) < 1e-6 || Math.abs(d) > 1e9) return cExp(d);
  return cFixed(d, 6);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const lower = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 32 : c);

function matchWord(buf: Uint8Array, pos: number, end: number, word: string): boolean {
  if (pos + word.length > end) return false;
  for (let i = 0; i < word.length; i++) {
    if (lower(buf[pos + i]) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * glibc `strtod` in the C locale on `buf[pos, end)`: the value and where it
 * stopped, or `null` when no number starts there. Accepts what strtod does:
 * `inf`, `nan(…)`, hex floats, `1.`, `.5` after a sign, exponents only when
 * digits follow.
 */
export function cStrtod(
  buf: Uint8Array,
  pos: number,
  end: number,
): { value: number; end: number } | null {
  let p = pos;
  let sign = 1;
  if (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) {
    if (buf[p] === 0x2d) sign = -1;
    p++;
  }
  if (matchWord(buf, p, end, "inf")) {
    p += 3;
    if (matchWord(buf, p, end, "inity")) p += 5;
    return { value: sign * Infinity, end: p };
  }
  if (matchWord(buf, p, end, "nan")) {
    p += 3;
    if (p < end && buf[p] === 0x28) {
      let q = p + 1;
      while (
        q < end && (isDigit(buf[q]) || (lower(buf[q]) >= 0x61 && lower(buf[q]) <= 0x7a) ||
          buf[q] === 0x5f)
      ) q++;
      if (q < end && buf[q] === 0x29) p = q + 1;
    }
    return { value: NaN, end: p };
  }
  if (
    p + 1 < end && buf[p] === 0x30 && lower(buf[p + 1]) === 0x78 &&
    ((p + 2 < end && isHex(buf[p + 2])) ||
      (p + 3 < end && buf[p + 2] === 0x2e && isHex(buf[p + 3])))
  ) {
    p += 2;
    let mant = 0n;
    let shift = 0;
    while (p < end && isHex(buf[p])) {
      mant = mant * 16n + BigInt(parseInt(String.fromCharCode(buf[p++]), 16));
    }
    if (p < end && buf[p] === 0x2e) {
      p++;
      while (p < end && isHex(buf[p])) {
        mant = mant * 16n + BigInt(parseInt(String.fromCharCode(buf[p++]), 16));
        shift -= 4;
      }
    }
    if (p < end && lower(buf[p]) === 0x70) {
      let q = p + 1;
      let es = 1;
      if (q < end && (buf[q] === 0x2b || buf[q] === 0x2d)) es = buf[q++] === 0x2d ? -1 : 1;
      if (q < end && isDigit(buf[q])) {
        let ex = 0;
        while (q < end && isDigit(buf[q])) ex = Math.min(ex * 10 + buf[q++] - 0x30, 100000);
        shift += es * ex;
        p = q;
      }
    }
    return { value: sign * Number(mant) * 2 ** shift, end: p };
  }
  const start = p;
  let digits = 0;
  while (p < end && isDigit(buf[p])) p++, digits++;
  if (p < end && buf[p] === 0x2e) {
    let q = p + 1;
    while (q < end && isDigit(buf[q])) q++, digits++;
    if (digits > 0) p = q;
  }
  if (digits === 0) return null;
  if (p < end && lower(buf[p]) === 0x65) {
    let q = p + 1;
    if (q < end && (buf[q] === 0x2b || buf[q] === 0x2d)) q++;
    if (q < end && isDigit(buf[q])) {
      while (q < end && isDigit(buf[q])) q++;
      p = q;
    }
  }
  let text = "";
  for (let i = start; i < p; i++) text += String.fromCharCode(buf[i]);
  if (text.startsWith(".")) text = "0" + text;
  if (text.endsWith(".")) text += "0";
  text = text.replace(/\.(?=[eE])/, ".0");
  return { value: sign * Number(text), end: p };
}

/**
 * srjson's number reader (Kamailio): optional `-`, digits, a fraction only
 * when a digit follows the dot, an exponent; computed as the C code does.
 * Always succeeds, possibly consuming nothing but the sign.
 */
export function srjsonNumber(
  buf: Uint8Array,
  pos: number,
  end: number,
): { value: number; end: number } {
  let p = pos;
  let sign = 1;
  let n = 0;
  let scale = 0;
  let sub = 0;
  let subSign = 1;
  if (p < end && buf[p] === 0x2d) sign = -1, p++;
  if (p < end && buf[p] === 0x30) p++;
  if (p < end && buf[p] >= 0x31 && buf[p] <= 0x39) {
    do n = n * 10 + (buf[p++] - 0x30); while (p < end && isDigit(buf[p]));
  }
  if (p + 1 < end && buf[p] === 0x2e && isDigit(buf[p + 1])) {
    p++;
    do n = n * 10 + (buf[p++] - 0x30), scale--; while (p < end && isDigit(buf[p]));
  }
  if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
    p++;
    if (p < end && buf[p] === 0x2b) p++;
    else if (p < end && buf[p] === 0x2d) subSign = -1, p++;
    while (p < end && isDigit(buf[p])) sub = (sub * 10 + (buf[p++] - 0x30)) | 0;
  }
  return { value: sign * n * Math.pow(10, scale + sub * subSign), end: p };
}
