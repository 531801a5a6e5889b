/**
 * The text dialect's reply tree mapped to and from the neutral value model,
 * so that a handler written once is served over MI too and `send --json`
 * gives the same shapes for every dialect.
 *
 * @module
 */
import { MidgramError } from "../../errors.ts";
import { Double, isStruct, Members, type Params, structEntries, type Value } from "../value.ts";
import { node } from "./reply_builders.ts";
import type { MiArgument, MiNode } from "./types.ts";

/** The text of a scalar as a reply line carries it. */
function scalarText(value: Value): string | null {
  if (value === null) return null;
  if (value instanceof Double) return String(value.value);
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

function isScalar(value: Value): boolean {
  return value === null || typeof value !== "object" || value instanceof Double ||
    value instanceof Uint8Array;
}

function member(name: string | null, value: Value, out: MiNode[]): void {
  if (isScalar(value)) {
    out.push(node(name, scalarText(value)));
  } else if (Array.isArray(value)) {
    // A list under a name repeats the name, as the 2.4 servers repeat nodes.
    for (const item of value as readonly Value[]) {
      if (Array.isArray(item)) out.push(node(name, null, { children: valueToNodes(item) }));
      else member(name, item, out);
    }
  } else {
    out.push(node(name, null, { children: valueToNodes(value) }));
  }
}

/**
 * Writes a neutral value as reply nodes: struct members become `name:: value`
 * lines (nested structs become children), a list under a name repeats the
 * name, a list at the top becomes bare values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valueToNodes } from "./tree_value.ts";
 * assert.deepEqual(valueToNodes({ Server: "midgram" }), [{ name: "Server", value: "midgram", attributes: [], children: [] }]);
 * assert.deepEqual(valueToNodes(["a", "b"]).map((n) => n.value), ["a", "b"]);
 * ```
 */
export function valueToNodes(value: Value | undefined): MiNode[] {
  const out: MiNode[] = [];
  if (value === undefined || value === null) return out;
  if (isStruct(value)) {
    for (const [name, v] of structEntries(value)) member(name, v, out);
  } else if (Array.isArray(value)) {
    for (const item of value as readonly Value[]) {
      if (isStruct(item)) out.push(...valueToNodes(item));
      else member(null, item, out);
    }
  } else {
    member(null, value, out);
  }
  return out;
}

/**
 * Reads reply nodes as a neutral value, losslessly: each node becomes
 * `{ name, value, attributes, children }` with attributes as an object, so
 * repeated names and their order survive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodesToValue } from "./tree_value.ts";
 * const value = nodesToValue([
 *   { name: "Process", value: null, attributes: [{ name: "ID", value: "0" }], children: [] },
 * ]);
 * assert.equal(
 *   JSON.stringify(value),
 *   '[{"name":"Process","value":null,"attributes":{"ID":"0"},"children":[]}]',
 * );
 * ```
 */
export function nodesToValue(nodes: readonly MiNode[]): Value {
  return nodes.map((n) => ({
    name: n.name,
    value: n.value,
    attributes: new Members(n.attributes.map((a) => [a.name, a.value] as const)),
    children: nodesToValue(n.children),
  }));
}

/**
 * Reads reply nodes as the plain value other dialects carry for a 2.4-layout
 * reply: bare values become a list of strings; named nodes become struct
 * members (repeated names kept, in order), a node with attributes or
 * children a struct of those.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodesToPlainValue } from "./tree_value.ts";
 * assert.deepEqual(nodesToPlainValue([{ name: null, value: "a", attributes: [], children: [] }]), ["a"]);
 * ```
 */
export function nodesToPlainValue(nodes: readonly MiNode[]): Value {
  if (nodes.every((n) => n.name === null && n.attributes.length === 0 && n.children.length === 0)) {
    return nodes.map((n) => n.value);
  }
  return new Members(nodes.map((n) => {
    let value: Value = n.value;
    if (n.attributes.length > 0 || n.children.length > 0) {
      const inner: (readonly [string, Value])[] = n.value === null ? [] : [["value", n.value]];
      for (const a of n.attributes) inner.push([a.name, a.value]);
      const children = nodesToPlainValue(n.children);
      if (n.children.length > 0) {
        if (children instanceof Members) inner.push(...children.entries);
        else inner.push(["children", children]);
      }
      value = new Members(inner);
    }
    return [n.name ?? "", value] as const;
  }));
}

/**
 * The parameters of a text request: named when every argument has a name,
 * else positional values (the names dropped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { argumentsToParams } from "./tree_value.ts";
 * assert.deepEqual(argumentsToParams([{ name: null, value: "all" }]), { kind: "positional", values: ["all"] });
 * ```
 */
export function argumentsToParams(args: readonly MiArgument[]): Params {
  if (args.length > 0 && args.every((a) => a.name !== null)) {
    return { kind: "named", values: new Members(args.map((a) => [a.name!, a.value] as const)) };
  }
  return { kind: "positional", values: args.map((a) => a.value) };
}

/**
 * The argument lines for parameters: `name::value` for named ones, bare
 * values for positional ones (structs and lists cannot be carried).
 *
 * @throws {MidgramError} `unrepresentable` for a struct or list value, which a
 * text request cannot carry.
 */
export function paramsToArguments(params: Params): MiArgument[] {
  const text = (v: Value): string | null => {
    if (!isScalar(v)) {
      throw new MidgramError(
        "unrepresentable",
        "A text MI request carries only strings and numbers, not lists or structs",
      );
    }
    return scalarText(v);
  };
  if (params.kind === "named") {
    return params.values.entries.map(([name, v]) => ({ name, value: text(v) ?? "" }));
  }
  return params.values.map((v) => ({ name: null, value: text(v) }));
}
