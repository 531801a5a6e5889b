/**
 * From parsed JSON nodes to the neutral value model.
 *
 * @module
 */
import type { JNode } from "./_cjson.ts";
import { Double, Members, NO_PARAMS, type Params, type Value } from "../value.ts";

const utf8 = new TextDecoder("utf-8");

/** The text of a string node (bytes that are not UTF-8 become U+FFFD). */
export function nodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/**
 * A node as a {@linkcode Value}: objects become {@linkcode Members} (order and
 * duplicates kept), a number written with a fraction or exponent that is
 * whole becomes a {@linkcode Double} (`2.0` stays a double), strings are
 * decoded as UTF-8.
 */
export function nodeValue(node: JNode): Value {
  switch (node.type) {
    case "null":
      return null;
    case "true":
      return true;
    case "false":
      return false;
    case "number":
      return /^-?\d+$/.test(node.text) || !Number.isInteger(node.value)
        ? node.value
        : new Double(node.value);
    case "string":
      return nodeText(node.bytes);
    case "array":
      return node.items.map(nodeValue);
    case "object":
      return new Members(node.members.map((m) => [nodeText(m.key), nodeValue(m.value)] as const));
  }
}

/**
 * A request's `params` as {@linkcode Params}: an array's items positional,
 * an object's members named (positional in member order when
 * `namesIgnored`, as Kamailio's jsonrpcs reads them); none for an empty
 * array or object, a missing member or any other value.
 */
export function nodeParams(node: JNode | undefined, namesIgnored = false): Params {
  if (node?.type === "array" && node.items.length > 0) {
    return { kind: "positional", values: node.items.map(nodeValue) };
  }
  if (node?.type === "object" && node.members.length > 0) {
    if (namesIgnored) {
      return { kind: "positional", values: node.members.map((m) => nodeValue(m.value)) };
    }
    return {
      kind: "named",
      values: new Members(node.members.map((m) => [nodeText(m.key), nodeValue(m.value)] as const)),
    };
  }
  return NO_PARAMS;
}
