/**
 * The path language of RPC mappings (`RECORDS[].SET.TARGETS[].DEST.URI`),
 * the one `send --value` speaks (lib/protocol/value_path.ts). Text MI
 * replies are read as structs of their nodes first ({@linkcode fromMiNodes}).
 * Pure.
 *
 * @module
 */
import { isStruct, Members, structEntries, type Value } from "../protocol/value.ts";

export { parsePath, type PathSegment, pick, walk } from "../protocol/value_path.ts";

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
