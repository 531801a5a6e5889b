import { Double, isStruct, structEntries, type Value } from "./value.ts";

/** Options of {@linkcode valueToJson}. */
export interface ValueJsonOptions {
  /** Indent per level for pretty output; default none (compact). */
  indent?: string;
}

function number(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}

/**
 * Writes a neutral value as JSON text, losslessly where JSON allows: a
 * {@linkcode Double} keeps a fraction (`2.0`, so it stays apart from the
 * integer `2`), struct members keep their order and repeated names (JSON
 * text allows them; most readers keep the last), bytes become
 * `{"bytes":"HEX"}`.
 *
 * @example
 * ```ts
 * import { valueToJson } from "./value_json.ts";
 * import { Double, Members } from "./value.ts";
 * valueToJson(new Members([["a", 1], ["a", new Double(2)]])); // '{"a":1,"a":2.0}'
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
