import { test } from "node:test";
import assert from "node:assert/strict";
import { matchRecipe, PARAMS_ERRORS } from "./match_recipe.ts";
import { Members, NO_PARAMS } from "../value.ts";

const pos = (...values: string[]) => ({ kind: "positional" as const, values });
const named = (...e: [string, string][]) => ({ kind: "named" as const, values: new Members(e) });
const fail = (m: ReturnType<typeof matchRecipe>) => m.ok ? "ok" : m.detail;

test("matchRecipe() picks the recipe with as many names for positional params", () => {
  const m = matchRecipe(pos("a", "b"), [["x"], ["x", "y"]]);
  assert.ok(m.ok);
  assert.equal(m.index, 1);
  assert.deepEqual({ ...m.values }, { x: "a", y: "b" });
});

test("matchRecipe() refuses two positional recipes of one length as ambiguous", () => {
  assert.equal(fail(matchRecipe(pos("a"), [["x"], ["y"]])), PARAMS_ERRORS.ambiguous);
});

test("matchRecipe() matches named params by exact, case-sensitive names", () => {
  const m = matchRecipe(named(["y", "2"], ["x", "1"]), [["x", "y"]]);
  assert.ok(m.ok);
  assert.deepEqual({ ...m.values }, { x: "1", y: "2" });
  assert.equal(fail(matchRecipe(named(["X", "1"], ["y", "2"]), [["x", "y"]])), PARAMS_ERRORS.names);
});

test("matchRecipe() says 'Too few or too many parameters' when no count fits", () => {
  assert.equal(fail(matchRecipe(pos("a"), [["x", "y"]])), PARAMS_ERRORS.count);
  assert.equal(fail(matchRecipe(named(["x", "1"]), [["x", "y"]])), PARAMS_ERRORS.count);
  assert.equal(fail(matchRecipe(NO_PARAMS, [["x"]])), PARAMS_ERRORS.count);
  assert.equal(fail(matchRecipe(pos("a"), [[]])), PARAMS_ERRORS.count);
});

test("matchRecipe() takes no params only with an empty recipe", () => {
  const m = matchRecipe(NO_PARAMS, [["x"], []]);
  assert.ok(m.ok && m.index === 1);
});

test("matchRecipe() refuses positional params for named-only commands", () => {
  assert.equal(fail(matchRecipe(pos("a"), [["x"]], { namedOnly: true })), PARAMS_ERRORS.namedOnly);
  assert.ok(matchRecipe(named(["x", "a"]), [["x"]], { namedOnly: true }).ok);
});

test("PARAMS_ERRORS.badType() names the parameter", () => {
  assert.equal(PARAMS_ERRORS.badType("expire"), "Bad type for parameter 'expire'");
});
