import { MidgramError } from "../../errors.ts";
import { MAX_DATAGRAM_SIZE } from "./limits.ts";
import type { MiNode, MiReply } from "./types.ts";

/** Options of {@linkcode formatReply} and `parseReply`. */
export interface ReplyLayoutOptions {
  /** The indent string per depth level (`reply_indent`); default one TAB, `""` for none. */
  indent?: string;
}

function refuse(why: string): never {
  throw new MidgramError("unrepresentable", `Cannot write the reply: ${why}`);
}

function checkText(text: string, what: string): void {
  if (text.includes("\n")) refuse(`${what} ${JSON.stringify(text)} holds a newline`);
  if (text.includes("\0")) refuse(`${what} ${JSON.stringify(text)} holds a NUL byte`);
}

function writeNode(node: MiNode, depth: number, indent: string, out: string[]): void {
  const prefix = indent.repeat(depth);
  let line = "";
  if (node.name !== null) {
    checkText(node.name, "a name");
    if (node.name.includes("::")) refuse(`the name ${JSON.stringify(node.name)} holds '::'`);
    if (node.name.endsWith(":")) refuse(`the name ${JSON.stringify(node.name)} ends with ':'`);
    line = `${node.name}:: `;
  }
  if (node.value !== null) {
    checkText(node.value, "a value");
    if (node.name === null && node.value.includes(":: ")) {
      refuse(
        `the unnamed value ${JSON.stringify(node.value)} holds ':: ' and would read as a name`,
      );
    }
    line += node.value;
  }
  for (const attr of node.attributes) {
    checkText(attr.name, "an attribute name");
    checkText(attr.value, "an attribute value");
    line += ` ${attr.name}=${attr.value}`;
  }
  if (line === "") refuse("a node with no name, no value and no attributes would end the reply");
  // An unnamed line must not read as a name, whatever its attributes add (`::` + ` a=`).
  if (node.name === null && line.includes(":: ")) {
    refuse(`the unnamed line ${JSON.stringify(line)} holds ':: ' and would read as a name`);
  }
  if (indent !== "" && line.startsWith(indent)) {
    refuse(
      `the text ${JSON.stringify(line)} starts with the indent string and would read as deeper`,
    );
  }
  out.push(prefix, line, "\n");
  for (const child of node.children) writeNode(child, depth + 1, indent, out);
}

/**
 * Writes a reply as the real servers' `mi_datagram` writer does: the code
 * line, then each node depth first on its own line (indent × depth, then
 * `name:: ` when named, the value, ` attr=value` for each attribute), then an
 * empty line. A `bare` reply (the transport's fixed errors) is only the code line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatReply } from "./format_reply.ts";
 * import { node, okReply } from "./reply_builders.ts";
 * assert.equal(
 *   formatReply(okReply([node("Server", "OpenSIPS (2.4.11 (x86_64/linux))")])),
 *   "200 OK\nServer:: OpenSIPS (2.4.11 (x86_64/linux))\n\n",
 * );
 * ```
 *
 * @throws {MidgramError} `unrepresentable` for a tree that `parseReply` could not read
 *   back the same; `reply-too-large` over 65457 bytes.
 */
export function formatReply(reply: MiReply, options: ReplyLayoutOptions = {}): string {
  const indent = options.indent ?? "\t";
  if (!Number.isInteger(reply.code) || reply.code < 100 || reply.code > 999) {
    refuse(`the code ${reply.code} is not a number from 100 to 999`);
  }
  checkText(reply.reason, "the reason");
  if (reply.reason.includes("\r")) refuse(`the reason ${JSON.stringify(reply.reason)} holds a CR`);
  const out = [`${reply.code} ${reply.reason}\n`];
  if (reply.bare) {
    if (reply.nodes.length > 0) refuse("a bare reply (a fixed transport error) has no nodes");
  } else {
    for (const n of reply.nodes) writeNode(n, 0, indent, out);
    out.push("\n");
  }
  const text = out.join("");
  const size = new TextEncoder().encode(text).length;
  if (size > MAX_DATAGRAM_SIZE) {
    throw new MidgramError(
      "reply-too-large",
      `Reply too large: ${size} bytes, the limit is ${MAX_DATAGRAM_SIZE}`,
    );
  }
  return text;
}
