/**
 * Member paths over neutral values, one language for `send --value` and the
 * exporter's mappings, meaning the same over binrpc and JSON-RPC once a
 * reply is in its JSON form ({@linkcode jsonShape} of the result):
 *
 * * `NAME` — the struct member NAME (the first of that name);
 * * `N` (digits) — element N of a list;
 * * `NAME[]` — every element of member NAME; `[]` alone, every element of
 *   the value itself; a struct that repeats NAME (text MI's nodes) gives
 *   every member called NAME;
 * * binrpc cannot tell a list of one from its element (Kamailio's `ctl`
 *   writes both as a struct), so a lone value counts as a list of one (`0`
 *   and `[]` reach it) and a name on a list of one reaches into its element.
 *
 * Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walk } from "./value_path.ts";
 * const list = { NRSETS: 2, RECORDS: [{ SET: { ID: 2 } }, { SET: { ID: 1 } }] };
 * assert.deepEqual(walk(list, "RECORDS[].SET.ID").map((p) => p.value), [2, 1]);
 * assert.deepEqual(walk(list, "RECORDS.1.SET.ID").map((p) => p.value), [1]);
 * // A lone SET (binrpc, one set) is reached by the same paths.
 * const one = { NRSETS: 1, RECORDS: { SET: { ID: 7 } } };
 * assert.deepEqual(walk(one, "RECORDS[].SET.ID").map((p) => p.value), [7]);
 * assert.deepEqual(walk(one, "RECORDS.0.SET.ID").map((p) => p.value), [7]);
 * ```
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import { isStruct, Members, type Value } from "./value.ts";

/** One parsed segment: a member name or index (`""` for the value itself) and whether to go through a list. */
export interface PathSegment {
  member: string;
  each: boolean;
}

/**
 * Parses a path; `""` is the value itself. Throws a `MidgramError` `usage`
 * for an empty segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePath } from "./value_path.ts";
 * assert.deepEqual(parsePath("A[].B"), [{ member: "A", each: true }, { member: "B", each: false }]);
 * assert.throws(() => parsePath("A..B"), { code: "usage" });
 * ```
 */
export function parsePath(path: string): PathSegment[] {
  if (path === "") return [];
  return path.split(".").map((part) => {
    const each = part.endsWith("[]");
    const member = each ? part.slice(0, -2) : part;
    if (member === "" && !each) {
      throw new MidgramError("usage", `Cannot read path "${path}": empty segment`);
    }
    return { member, each };
  });
}

const INDEX = /^\d+$/;

/** One step: a member, an index, or (list of one / lone value) the tolerant forms. */
function step(value: Value | undefined, name: string): Value | undefined {
  if (name === "" || value === undefined) return value;
  if (Array.isArray(value)) {
    const list = value as readonly Value[];
    if (INDEX.test(name)) return list[Number(name)];
    return list.length === 1 ? step(list[0], name) : undefined;
  }
  if (isStruct(value)) {
    const found = value instanceof Members
      ? value.get(name)
      : Object.hasOwn(value, name)
      ? (value as Record<string, Value>)[name]
      : undefined;
    if (found !== undefined) return found;
  }
  return name === "0" && value !== null ? value : undefined;
}

/** A list as a list; one value (a lone struct) as a list of one. */
function elements(value: Value | undefined): readonly Value[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value as Value];
}

/** What `NAME[]` goes through. */
function each(value: Value | undefined, name: string): readonly Value[] {
  if (name !== "" && value instanceof Members) {
    const all = value.entries.filter(([n]) => n === name).map(([, v]) => v);
    if (all.length > 1) return all;
  }
  return elements(step(value, name));
}

/**
 * Every place a path reaches: the index of each `[]` on the way, and the value there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walk } from "./value_path.ts";
 * assert.deepEqual(walk({ A: [{ B: 1 }, { B: 2 }] }, "A[].B").map((p) => p.value), [1, 2]);
 * assert.deepEqual(walk({ uptime: 5 }, "0.uptime").map((p) => p.value), [5]);
 * ```
 */
export function walk(root: Value, path: string): Array<{ indices: number[]; value: Value }> {
  let places: Array<{ indices: number[]; value: Value | undefined }> = [{
    indices: [],
    value: root,
  }];
  for (const segment of parsePath(path)) {
    const next: typeof places = [];
    for (const place of places) {
      if (segment.each) {
        each(place.value, segment.member).forEach((e, i) =>
          next.push({ indices: [...place.indices, i], value: e })
        );
        continue;
      }
      const v = step(place.value, segment.member);
      if (v !== undefined) next.push({ indices: place.indices, value: v });
    }
    places = next;
  }
  return places.filter((p): p is { indices: number[]; value: Value } => p.value !== undefined);
}

/**
 * The value at a path, each `[]` standing for the given index in turn
 * (those of the item being mapped); `undefined` when it is not there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pick } from "./value_path.ts";
 * assert.equal(pick({ A: [{ B: 1 }, { B: 2 }] }, "A[].B", [1]), 2);
 * ```
 */
export function pick(root: Value, path: string, indices: readonly number[]): Value | undefined {
  let value: Value | undefined = root;
  let k = 0;
  for (const segment of parsePath(path)) {
    value = segment.each
      ? each(value, segment.member)[indices[k++] ?? 0]
      : step(value, segment.member);
    if (value === undefined) return undefined;
  }
  return value;
}
