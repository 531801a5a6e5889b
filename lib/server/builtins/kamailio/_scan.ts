/**
 * Reading RPC parameters as Kamailio 5.6's `rpc->scan()` does, for binrpc
 * (`ctl`, with or without its `autoconversion`), ctl's FIFO protocol and
 * `jsonrpcs`: one value at a time, with each transport's own conversions.
 *
 * @module
 */
import type { DialectName } from "../../../protocol/dialect.ts";
import { Double, isStruct, type Params, type Value } from "../../../protocol/value.ts";
import { RpcError } from "../../rpc_error.ts";

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

/** An int64 as C's unsigned `%lu` prints it (two's complement). */
function unsigned64(n: bigint): string {
  return (((n % TWO_64) + TWO_64) % TWO_64).toString();
}

/**
 * A JSON number as jsonrpcs turns it into text: `(unsigned long)` of the
 * double, as x86-64 converts it (truncated; out of range gives 2^63).
 */
function jsonNumberText(x: number): string {
  const toInt64 = (v: number): bigint => {
    if (!Number.isFinite(v) || v >= 2 ** 63 || v < -(2 ** 63)) return -TWO_63;
    return BigInt(Math.trunc(v));
  };
  if (x >= 2 ** 63) return unsigned64(toInt64(x - 2 ** 63) ^ -TWO_63);
  return unsigned64(toInt64(x));
}

const isDouble = (v: Value): boolean =>
  v instanceof Double || (typeof v === "number" && !Number.isInteger(v));

/** ctl's name of a record's type (`rpc_type_name()`), for the records no conversion takes. */
function recordTypeName(v: Value): string | undefined {
  if (v instanceof Uint8Array) return "bytes array";
  if (Array.isArray(v)) return "array";
  if (isStruct(v)) return "structure";
  return undefined;
}

/** C's `(int)` of a long: the low 32 bits, signed. */
const toInt32 = (n: bigint): number => Number(BigInt.asIntN(32, n));

/**
 * C's `strtol(text, 0, 0)` as ctl's FIFO protocol reads an integer, then
 * `(int)`: leading white space, a sign, `0x` for hex, `0` for octal, digits
 * up to the first that is not one (none: 0); out of range, LONG_MIN or LONG_MAX.
 */
export function _strtol(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX](?=[0-9a-fA-F])|0)?([0-9a-zA-Z]*)/.exec(text)!;
  const [, sign, prefix] = m;
  const base = prefix === undefined ? 10 : prefix.length === 2 ? 16 : 8;
  let n = 0n;
  const big = BigInt(base);
  for (const ch of m[3]) {
    const d = parseInt(ch, 36);
    if (!(d < base)) break;
    n = n * big + BigInt(d);
    if (n > 1n << 64n) break;
  }
  if (sign === "-") n = -n;
  const max = (1n << 63n) - 1n;
  if (n > max) n = max;
  if (n < -max - 1n) n = -max - 1n;
  return toInt32(n);
}

/**
 * C's `str2sint()` as binrpc's autoconversion reads an integer from a
 * string: an optional sign and decimal digits only; undefined otherwise.
 */
function str2sint(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  return toInt32(BigInt(text));
}

/** What a {@linkcode Scanner} needs of the request: its dialect, and ctl's `autoconversion`. */
export interface ScanContext {
  readonly dialect: DialectName;
  /** binrpc: convert a parameter of another type where ctl can (`modparam("ctl", "autoconversion", 1)`). */
  readonly autoconversion?: boolean;
}

/**
 * The parameters of one call, read in order. Named JSON-RPC parameters are
 * read in order too: jsonrpcs ignores their names.
 */
export class Scanner {
  readonly #values: readonly Value[];
  readonly #dialect: DialectName;
  readonly #autoconversion: boolean;
  #next = 0;
  /**
   * The fault ctl prepared when the last parameter read was of a type it
   * cannot take (each read clears it, as `rpc->scan()` does). Over binrpc
   * ctl sends it only when the method adds nothing to the reply and sends
   * no fault of its own: see {@linkcode Scanner.orFault}.
   */
  fault: RpcError | undefined;

  constructor(params: Params, context: ScanContext) {
    const values = params.kind === "named"
      ? params.values.entries.map(([, v]) => v)
      : params.values;
    // ctl's FIFO protocol reads on past the parameters: the empty line that ends them, and
    // whatever else its buffer holds (the codec hands them over as `after`).
    this.#values = context.dialect === "ctlfifo"
      ? [...values, ...(params.kind === "positional" && params.after ? params.after : [""])]
      : values;
    this.#dialect = context.dialect;
    this.#autoconversion = context.dialect === "binrpc" && context.autoconversion === true;
  }

  /**
   * The next parameter as a string (`rpc->scan("s")`): only a string is
   * taken. Returns undefined, consuming nothing, when there is none or it is
   * of another type.
   */
  string(): string | undefined {
    if (this.#autoconversion) return this.text();
    const value = this.#values[this.#next];
    this.fault = undefined;
    if (value !== undefined && typeof value !== "string") this.#mismatch("string");
    if (typeof value !== "string") return undefined;
    this.#next++;
    return value;
  }

  /**
   * The next parameter converted to a string (`rpc->scan(".s")`): integers
   * become their unsigned decimal text; JSON numbers are truncated first.
   * Returns undefined when there is none or it cannot be converted; over
   * binrpc a double cannot be converted, and ctl then keeps a fault in
   * {@linkcode Scanner.fault}, sent only if the method adds nothing.
   */
  text(): string | undefined {
    const value = this.#values[this.#next];
    this.fault = undefined;
    if (value === undefined) return undefined;
    let text: string | undefined;
    if (this.#dialect === "ctlfifo") {
      // ctl's FIFO protocol reads a line for core.echo's `*` and knows no `.`: it faults
      // when a line is left for the `.`, else it gives a NULL string (`<null string>`).
      this.#next++;
      if (this.#next < this.#values.length) {
        this.fault = new RpcError(500, "Server Internal Error (Invalid Formatting Character '.')");
        this.#next = this.#values.length;
        return undefined;
      }
      return "<null string>";
    } else if (typeof value === "string") text = value;
    else if (this.#dialect === "binrpc") {
      if (typeof value === "number" && Number.isInteger(value)) text = unsigned64(BigInt(value));
      else if (recordTypeName(value) !== undefined) {
        // Read as any type (`.s`), the record keeps its own type, which the fault names.
        this.#mismatch(recordTypeName(value)!);
      } else if (isDouble(value)) {
        this.fault = new RpcError(
          400,
          `error at parameter ${this.#next}: expected float type but bug -- internal error`,
        );
      }
    } else if (typeof value === "number" || value instanceof Double) {
      text = jsonNumberText(typeof value === "number" ? value : value.value);
    }
    if (text !== undefined) this.#next++;
    return text;
  }

  /**
   * The next parameter as an integer (`rpc->scan("d")`). Over binrpc only an
   * integer is taken (else undefined), or with `autoconversion` also a
   * double (truncated) and a string of decimal digits; ctl's FIFO protocol
   * reads the line with `strtol()` and faults on an empty one (`400 Invalid
   * parameter value on line N`); jsonrpcs truncates a number and reads
   * anything else as 0.
   */
  int(): number | undefined {
    const value = this.#values[this.#next];
    this.fault = undefined;
    if (value === undefined) return undefined;
    let n: number | undefined;
    if (this.#dialect === "ctlfifo") {
      // A line ctl cannot unescape still reads as a number: strtol() of its bytes.
      const line = value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);
      // Line 1 is the method's: parameters start on line 2.
      if (line === "") throw new RpcError(400, `Invalid parameter value on line ${this.#next + 2}`);
      n = _strtol(line);
    } else if (this.#autoconversion) {
      if (typeof value === "number" && Number.isInteger(value)) n = value;
      else if (isDouble(value)) {
        const x = value instanceof Double ? value.value : value as number;
        n = Number.isFinite(x) && Math.abs(x) < 2 ** 31 ? Math.trunc(x) : -2147483648;
      } else if (typeof value === "string") n = str2sint(value);
    } else if (this.#dialect === "binrpc") {
      n = typeof value === "number" && Number.isInteger(value) ? value : undefined;
      if (n === undefined) this.#mismatch("integer");
    } else if (typeof value === "number" || value instanceof Double) {
      const x = typeof value === "number" ? value : value.value;
      // C's (int) of a double; out of range, x86-64 gives INT_MIN.
      n = Number.isFinite(x) && Math.abs(x) < 2 ** 31 ? Math.trunc(x) : -2147483648;
    } else n = 0;
    if (n !== undefined) this.#next++;
    return n;
  }

  /**
   * A handler's result as ctl sends it: when the method added nothing (no
   * value, or an empty list) and the last read failed on a record's type,
   * the prepared fault (`error at parameter 1: expected string type but
   * record doesn't match type`) is thrown instead.
   */
  orFault<T extends Value | undefined>(result: T): T {
    const empty = result === undefined || (Array.isArray(result) && result.length === 0);
    if (empty && this.fault) throw this.fault;
    return result;
  }

  #mismatch(expected: string): void {
    if (this.#dialect !== "binrpc") return;
    this.fault = new RpcError(
      400,
      `error at parameter ${this.#next}: expected ${expected} type but record doesn't match type`,
    );
  }
}
