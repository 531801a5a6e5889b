import type { Params, Value } from "../value.ts";

/** The `data` strings of OpenSIPS's -32602 `Invalid params` errors. */
export const PARAMS_ERRORS = {
  count: "Too few or too many parameters",
  names: "Named parameters do not match",
  ambiguous: "Ambiguous call, use named parameters instead",
  namedOnly: "Command only supports named parameters",
  /** For a handler that finds a parameter of the wrong JSON type. */
  badType: (name: string): string => `Bad type for parameter '${name}'`,
} as const;

/** What {@linkcode matchRecipe} found. */
export type RecipeMatch =
  | {
    ok: true;
    /** The index of the recipe chosen. */
    index: number;
    recipe: readonly string[];
    /** The values by parameter name (the first of duplicate names). */
    values: Record<string, Value>;
  }
  | { ok: false; detail: string };

/** Options of {@linkcode matchRecipe}. */
export interface MatchRecipeOptions {
  /** The command refuses positional parameters (OpenSIPS `MI_NAMED_PARAMS_ONLY`). */
  namedOnly?: boolean;
}

/**
 * Picks the recipe (list of parameter names) a call's parameters fit, as
 * OpenSIPS 3.6 `mi/mi.c` does: no parameters fit only an empty recipe;
 * positional ones the one recipe with as many names (two such recipes:
 * ambiguous); named ones the first recipe with as many names, all present
 * (names are case sensitive). Otherwise the -32602 `data` string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchRecipe } from "./match_recipe.ts";
 * const m = matchRecipe({ kind: "positional", values: ["k", "v"] }, [["key"], ["key", "value"]]);
 * assert.deepEqual(m.ok && { ...m.values }, { key: "k", value: "v" });
 * ```
 */
export function matchRecipe(
  params: Params,
  recipes: ReadonlyArray<readonly string[]>,
  options: MatchRecipeOptions = {},
): RecipeMatch {
  const entries: ReadonlyArray<readonly [string, Value]> = params.kind === "named"
    ? params.values.entries
    : params.values.map((v, i) => [String(i), v] as const);
  const none = entries.length === 0;
  const positional = params.kind === "positional" && !none;
  if (positional && options.namedOnly) return { ok: false, detail: PARAMS_ERRORS.namedOnly };
  let match = -1;
  let error: string = PARAMS_ERRORS.count;
  for (let i = 0; i < recipes.length; i++) {
    const recipe = recipes[i];
    if (none) {
      if (recipe.length === 0) return found(i, recipe, entries, false);
      continue;
    }
    if (recipe.length === 0 || recipe.length !== entries.length) continue;
    if (positional) {
      if (match >= 0) return { ok: false, detail: PARAMS_ERRORS.ambiguous };
      match = i;
    } else {
      error = PARAMS_ERRORS.names;
      if (recipe.every((name) => entries.some(([n]) => n === name))) {
        return found(i, recipe, entries, false);
      }
    }
  }
  if (match >= 0) return found(match, recipes[match], entries, true);
  return { ok: false, detail: error };
}

function found(
  index: number,
  recipe: readonly string[],
  entries: ReadonlyArray<readonly [string, Value]>,
  positional: boolean,
): RecipeMatch {
  const values: Record<string, Value> = Object.create(null);
  recipe.forEach((name, i) => {
    values[name] = positional ? entries[i][1] : entries.find(([n]) => n === name)![1];
  });
  return { ok: true, index, recipe, values };
}
