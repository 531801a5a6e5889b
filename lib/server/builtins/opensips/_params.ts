/**
 * Reading a command's parameters as OpenSIPS 3.x reads them (`mi/item.c`):
 * by recipe name, with its conversions and its `-32602` answers.
 *
 * @module
 */
import { Double, type Params, type Value } from "../../../protocol/value.ts";
import { RpcError } from "../../rpc_error.ts";

const INVALID_PARAMS = -32602;

/** A `-32602 Invalid params` answer with OpenSIPS's detail text as `data`. */
export function invalidParams(detail: string): RpcError {
  return new RpcError(INVALID_PARAMS, "Invalid params", detail);
}

/** The parameters of one call, looked up by the names of the recipe it matched. */
export class RecipeParams {
  readonly #values = new Map<string, Value>();

  /**
   * `recipes` are the command's recipes: a positional call is matched with
   * the one of the same length (the server has already checked that one exists).
   */
  constructor(params: Params, recipes: readonly (readonly string[])[]) {
    if (params.kind === "named") {
      for (const [name, value] of params.values.entries) {
        if (!this.#values.has(name)) this.#values.set(name, value);
      }
      return;
    }
    const recipe = recipes.find((r) => r.length === params.values.length) ?? [];
    recipe.forEach((name, i) => this.#values.set(name, params.values[i]));
  }

  /** Whether the call carries this parameter (which recipe it matched). */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  #get(name: string): Value {
    const value = this.#values.get(name);
    // The call matched a recipe, so a missing name is the server's own fault.
    if (value === undefined) {
      throw new RpcError(-32000, "Server error", "Failed to handle parameter");
    }
    return value;
  }

  /** A string parameter; a number is taken as its decimal integer text. */
  string(name: string): string {
    const text = asText(this.#get(name));
    if (text === undefined) throw invalidParams(`Bad type for parameter '${name}'`);
    return text;
  }

  /** An integer parameter: a number, or a string of decimal digits. */
  int(name: string): number {
    const value = this.#get(name);
    const n = typeof value === "string" ? parseSignedInt(value) : asNumber(value);
    if (n === undefined) throw invalidParams(`Bad type for parameter '${name}'`);
    return typeof value === "string" ? n : cJsonInt(n);
  }

  /** A non-empty array of strings (numbers taken as their integer text). */
  strings(name: string): string[] {
    const value = this.#get(name);
    if (!Array.isArray(value)) throw invalidParams(`Bad type for parameter '${name}'`);
    const items = value as readonly Value[];
    if (items.length === 0) throw invalidParams(`Empty array in parameter '${name}'`);
    return items.map((item) => {
      const text = asText(item);
      if (text === undefined) throw invalidParams(`Bad type for array item in parameter '${name}'`);
      return text;
    });
  }
}

function asNumber(value: Value): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Double) return value.value;
  return undefined;
}

function asText(value: Value): string | undefined {
  if (typeof value === "string") return value;
  const n = asNumber(value);
  return n === undefined ? undefined : String(cJsonInt(n));
}

/** A JSON number as cJSON's `valueint`: truncated, saturated to the C `int` range. */
export function cJsonInt(n: number): number {
  if (Number.isNaN(n)) return 0;
  if (n >= 2147483647) return 2147483647;
  if (n <= -2147483648) return -2147483648;
  return Math.trunc(n);
}

/**
 * A string as OpenSIPS's `str2sint` reads it: an optional sign, then digits
 * only (none at all reads as 0); it wraps around on overflow.
 */
function parseSignedInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]*$/.test(text) || text === "") return undefined;
  let n = 0;
  for (const c of text.replace(/^[+-]/, "")) n = (Math.imul(n, 10) + (c.charCodeAt(0) - 48)) | 0;
  return text.startsWith("-") ? -n | 0 : n;
}
