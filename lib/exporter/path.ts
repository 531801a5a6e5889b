/**
 * A small path language over neutral values, for RPC mappings:
 * `RECORDS[].SET.TARGETS[].DEST.URI`. A segment names a struct member (the
 * first of that name); `[]` after it (or alone) goes through every element
 * of a list. Text MI replies are read as structs of their nodes first
 * ({@linkcode fromMiNodes}). Pure.
 *
 * @module
 */
import { isStruct, Members, structEntries, type Value } from "../protocol/value.ts";

/** One parsed segment: a member name (or `""` for the value itself) and whether to go through a list. */
interface Segment {
  member: string;
  each: boolean;
}

/** Parses a path; `""` is the value itself. Throws TypeError for an empty segment. */
export function parsePath(path: string): Segment[] {
  if (path === "") return [];
  return path.split(".").map((part) => {
    const each = part.endsWith("[]");
    const member = each ? part.slice(0, -2) : part;
    if (member === "" && !each) throw new TypeError(`Cannot read path "${path}": empty segment`);
    return { member, each };
  });
}

function member(value: Value | undefined, name: string): Value | undefined {
  if (name === "") return value;
  if (value === undefined || !isStruct(value)) return undefined;
  if (value instanceof Members) return value.get(name);
  return Object.hasOwn(value, name) ? (value as Record<string, Value>)[name] : undefined;
}

/**
 * What `NAME[]` goes through: every member called NAME when a struct repeats
 * it (text MI nodes, Kamailio structs), else the elements of its one list.
 */
function each(value: Value | undefined, name: string): readonly Value[] {
  if (name !== "" && value instanceof Members) {
    const all = value.entries.filter(([n]) => n === name).map(([, v]) => v);
    return all.length === 1 ? elements(all[0]) : all;
  }
  return elements(member(value, name));
}

/** A list as a list; one value (binrpc's single record, a lone struct) as a list of one. */
function elements(value: Value | undefined): readonly Value[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value as Value];
}

/**
 * Every place a path reaches: the index of each `[]` on the way, and the value there.
 *
 * @example
 * ```ts
 * import { walk } from "./path.ts";
 * walk({ A: [{ B: 1 }, { B: 2 }] }, "A[].B").map((p) => p.value); // [1, 2]
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
      const v = member(place.value, segment.member);
      if (v !== undefined) next.push({ indices: place.indices, value: v });
    }
    places = next;
  }
  return places.filter((p): p is { indices: number[]; value: Value } => p.value !== undefined);
}

/**
 * The value at a path, each `[]` standing for the given index in turn
 * (those of the item being mapped); `undefined` when it is not there.
 */
export function pick(root: Value, path: string, indices: readonly number[]): Value | undefined {
  let value: Value | undefined = root;
  let k = 0;
  for (const segment of parsePath(path)) {
    value = segment.each
      ? each(value, segment.member)[indices[k++] ?? 0]
      : member(value, segment.member);
    if (value === undefined) return undefined;
  }
  return value;
}

interface MiNodeLike {
  name: string | null;
  value: string | null;
  attributes?: Value;
  children?: MiNodeLike[];
}

/**
 * A text MI reply (a list of nodes) as a struct: each node is a member named
 * after it, whose value is the node's value, or, when it has attributes or
 * children, a struct of them (its own value as `value`). Other values pass.
 */
export function fromMiNodes(value: Value): Value {
  if (
    !Array.isArray(value) ||
    !value.every((n) => typeof n === "object" && n !== null && "children" in n)
  ) {
    return value;
  }
  const convert = (nodes: MiNodeLike[]): Members =>
    new Members(nodes.map((n) => {
      const attributes = n.attributes && isStruct(n.attributes) ? structEntries(n.attributes) : [];
      const children = n.children ?? [];
      if (attributes.length === 0 && children.length === 0) return [n.name ?? "", n.value];
      return [
        n.name ?? "",
        new Members([
          ...(n.value === null ? [] : [["value", n.value] as const]),
          ...attributes,
          ...convert(children).entries,
        ]),
      ];
    }));
  return convert(value as unknown as MiNodeLike[]);
}
