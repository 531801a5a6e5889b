import type { MiAttribute, MiNode, MiReply } from "./types.ts";

/**
 * The fixed error replies of the transport, byte for byte as the real servers
 * send them: a code line and no final empty line.
 */
export const FIXED_REPLIES = {
  /** Bad first line, or unknown command. */
  commandNotAvailable: "500 command not available\n",
  /** The arguments do not parse. */
  parseError: "400 parse_error\n",
  /** The command returned no reply. */
  commandFailed: "500 command failed\n",
  /** The reply could not be built. */
  internalError: "500 Internal server error\n",
} as const;

/**
 * Builds a reply node.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { node } from "./reply_builders.ts";
 * node("Process", null, { attributes: { ID: "0", PID: "12219", Type: "attendant" } });
 * // a bare value, as `which` lists commands
 * assert.deepEqual(node(null, "get_statistics"), { name: null, value: "get_statistics", attributes: [], children: [] });
 * ```
 */
export function node(
  name: string | null,
  value: string | null,
  init: { attributes?: Record<string, string> | MiAttribute[]; children?: MiNode[] } = {},
): MiNode {
  const attributes = Array.isArray(init.attributes)
    ? init.attributes
    : Object.entries(init.attributes ?? {}).map(([n, v]) => ({ name: n, value: v }));
  return { name, value, attributes, children: init.children ?? [] };
}

/**
 * A `200 OK` reply with these top-level nodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { node, okReply } from "./reply_builders.ts";
 * const reply = okReply([node("Server", "midgram 0.1.0")]);
 * assert.equal(reply.code, 200);
 * assert.equal(reply.nodes[0].value, "midgram 0.1.0");
 * ```
 */
export function okReply(nodes: MiNode[] = []): MiReply {
  return { code: 200, reason: "OK", nodes, bare: false };
}

/**
 * An error reply in tree form (with the final empty line), e.g.
 * `400 Too few or too many arguments\n\n`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorReply } from "./reply_builders.ts";
 * assert.deepEqual(errorReply(404, "Not found"), { code: 404, reason: "Not found", bare: false, nodes: [] });
 * ```
 */
export function errorReply(code: number, reason: string): MiReply {
  return { code, reason, nodes: [], bare: false };
}
