import { Double, isStruct, Members, structEntries, type Value } from "./value.ts";

/** Options of {@linkcode valueToJson}. */
export interface ValueJsonOptions {
  /** Indent per level for pretty output; default none (compact). */
  indent?: string;
}

function number(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}

/**
 * A value in its JSON form, still neutral: every struct that repeats a
 * member name (binrpc allows it, JSON objects do not) becomes a list with
 * one one-member struct per member, in order — Kamailio's `jsonrpcs` layout
 * of the same data. Everything else is kept as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonShape } from "./value_json.ts";
 * import { Members } from "./value.ts";
 * const sets = new Members([["SET", 2], ["SET", 1]]);
 * const shaped = jsonShape(new Members([["NRSETS", 2], ["RECORDS", sets]]));
 * assert.equal(JSON.stringify(shaped), '{"NRSETS":2,"RECORDS":[{"SET":2},{"SET":1}]}');
 * ```
 */
export function jsonShape(value: Value): Value {
  if (Array.isArray(value)) return (value as readonly Value[]).map(jsonShape);
  if (!isStruct(value)) return value;
  const entries = structEntries(value).map(([n, v]) => [n, jsonShape(v)] as const);
  if (value instanceof Members && value.repeats) {
    return entries.map((entry) => new Members([entry]));
  }
  return new Members(entries);
}

/**
 * Writes a neutral value as JSON text that loses nothing to a standard JSON
 * reader: a {@linkcode Double} keeps a fraction (`2.0`, so it stays apart
 * from the integer `2`), struct members keep their order, a struct that
 * repeats a member name is written in its {@linkcode jsonShape} (a list of
 * one-member objects, as Kamailio's `jsonrpcs` writes it), bytes become
 * `{"bytes":"HEX"}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valueToJson } from "./value_json.ts";
 * import { Double, Members } from "./value.ts";
 * assert.equal(valueToJson(new Members([["a", 1], ["a", new Double(2)]])), '[{"a":1},{"a":2.0}]');
 * assert.equal(valueToJson(new Members([["a", 1], ["b", 2]])), '{"a":1,"b":2}');
 * ```
 */
export function valueToJson(value: Value | undefined, options: ValueJsonOptions = {}): string {
  const indent = options.indent ?? "";
  const write = (v: Value | undefined, depth: number): string => {
    if (v === undefined || v === null) return "null";
    if (typeof v === "boolean") return String(v);
    if (typeof v === "number") return number(v);
    if (typeof v === "string") return JSON.stringify(v);
    if (v instanceof Double) {
      const text = number(v.value);
      return Number.isInteger(v.value) && !/[e.]/.test(text) ? `${text}.0` : text;
    }
    if (v instanceof Uint8Array) {
      const hex = Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
      return write({ bytes: hex }, depth);
    }
    const inner = indent === "" ? "" : "\n" + indent.repeat(depth + 1);
    const outer = indent === "" ? "" : "\n" + indent.repeat(depth);
    const colon = indent === "" ? ":" : ": ";
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      return `[${inner}${
        (v as readonly Value[]).map((x) => write(x, depth + 1)).join(`,${inner}`)
      }${outer}]`;
    }
    if (v instanceof Members && v.repeats) {
      return write(v.entries.map((entry) => new Members([entry])), depth);
    }
    if (isStruct(v)) {
      const entries = structEntries(v);
      if (entries.length === 0) return "{}";
      return `{${inner}${
        entries.map(([k, x]) => `${JSON.stringify(k)}${colon}${write(x, depth + 1)}`).join(
          `,${inner}`,
        )
      }${outer}}`;
    }
    return "null";
  };
  return write(value, 0);
}
