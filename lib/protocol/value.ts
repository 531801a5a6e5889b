/**
 * The neutral value model: what command handlers take and return, and what
 * every dialect's codec maps to and from its wire form. It is JSON's model
 * plus the two things binrpc distinguishes that JSON does not:
 *
 * * a JS `number` that is a whole number in the 32-bit range is an integer;
 *   any other number is a double; {@linkcode Double} forces a double that
 *   happens to be whole (binrpc `2.0`);
 * * `Uint8Array` is binrpc's bytes record (JSON-RPC writes it as a string).
 *
 * A struct is a plain object, or {@linkcode Members} where the order or
 * duplicate names matter (Kamailio structs repeat member names).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Double, Members, isStruct, structEntries } from "./value.ts";
 * const v = new Members([["dst", "sip:a"], ["dst", "sip:b"]]);
 * console.log(isStruct(v), structEntries(v).length); // true 2
 * assert.equal(new Double(2).value, 2);
 * ```
 *
 * @module
 */

/** A double that must stay a double even when it is a whole number. */
export class Double {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/**
 * A struct whose members keep their order and may repeat names.
 *
 * Its JSON form ({@linkcode Members.toJSON}, and `valueToJson`) loses
 * nothing: an object when no name repeats, else a list with one one-member
 * object per member, in order — how Kamailio's `jsonrpcs` lays out the same
 * data (`{"RECORDS":[{"SET":…},{"SET":…}]}`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Members } from "./value.ts";
 * const sets = new Members([["SET", { ID: 2 }], ["SET", { ID: 1 }]]);
 * assert.equal(JSON.stringify(sets), '[{"SET":{"ID":2}},{"SET":{"ID":1}}]');
 * assert.equal(JSON.stringify(new Members([["a", 1], ["b", 2]])), '{"a":1,"b":2}');
 * ```
 */
export class Members {
  readonly entries: ReadonlyArray<readonly [string, Value]>;
  constructor(entries: ReadonlyArray<readonly [string, Value]>) {
    this.entries = entries;
  }
  /** The first member with this name. */
  get(name: string): Value | undefined {
    return this.entries.find(([n]) => n === name)?.[1];
  }
  /** Whether some member name occurs more than once. */
  get repeats(): boolean {
    return new Set(this.entries.map(([n]) => n)).size !== this.entries.length;
  }
  /** The JSON form: an object, or a list of one-member objects when a name repeats. */
  toJSON(): Record<string, Value> | Array<Record<string, Value>> {
    const one = (name: string, value: Value): Record<string, Value> =>
      Object.defineProperty({}, name, { value, enumerable: true, writable: true });
    if (this.repeats) return this.entries.map(([n, v]) => one(n, v));
    const out: Record<string, Value> = {};
    for (const [n, v] of this.entries) {
      Object.defineProperty(out, n, { value: v, enumerable: true });
    }
    return out;
  }
}

/** A plain-object struct. */
export interface Record_ {
  readonly [name: string]: Value;
}

/** A struct: a plain object or ordered {@linkcode Members}. */
export type Struct = Members | Record_;

/** Any value a handler takes or returns. */
export type Value =
  | null
  | boolean
  | number
  | string
  | Double
  | Uint8Array
  | readonly Value[]
  | Struct;

/** Whether a value is a struct (a plain object or {@linkcode Members}). */
export function isStruct(value: unknown): value is Struct {
  if (value instanceof Members) return true;
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Double) && !(value instanceof Uint8Array);
}

/** The members of a struct, in order. */
export function structEntries(value: Struct): ReadonlyArray<readonly [string, Value]> {
  return value instanceof Members ? value.entries : Object.entries(value);
}

/** Whether a number is carried as an integer (whole, in the signed 32-bit range). */
export function isInteger(value: number): boolean {
  return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;
}

/**
 * The parameters of a call: positional (a JSON array, binrpc's records, MI's
 * bare values) or named (a JSON object, MI's `name::value` lines).
 */
export type Params =
  | {
    readonly kind: "positional";
    readonly values: readonly Value[];
    /**
     * ctl's FIFO protocol only: the lines its parameter reader finds after
     * the parameters (the request's empty line, then the rest of what ctl
     * holds: a datagram's further bytes), read by a method that asks for more
     * parameters than were sent.
     */
    readonly after?: readonly Value[];
  }
  | { readonly kind: "named"; readonly values: Members };

/** No parameters. */
export const NO_PARAMS: Params = Object.freeze({ kind: "positional", values: [] });

/**
 * The parameters a parsed JSON value gives: a list positional, an object
 * named (members in order); `null` for anything else, which each caller
 * refuses in its own words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paramsFromJson } from "./value.ts";
 * assert.deepEqual(paramsFromJson(JSON.parse("[1,2]")), { kind: "positional", values: [1, 2] });
 * assert.equal(paramsFromJson(JSON.parse('{"a":1}'))?.kind, "named");
 * assert.equal(paramsFromJson("text"), null);
 * ```
 */
export function paramsFromJson(value: unknown): Params | null {
  if (Array.isArray(value)) return { kind: "positional", values: value as Value[] };
  if (typeof value === "object" && value !== null) {
    return { kind: "named", values: new Members(Object.entries(value as Record<string, Value>)) };
  }
  return null;
}
