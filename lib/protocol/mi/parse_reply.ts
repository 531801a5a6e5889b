import { MidgramError } from "../../errors.ts";
import type { MiAttribute, MiNode, MiReply } from "./types.ts";

/** Options of {@linkcode parseReply}. */
export interface ParseReplyOptions {
  /** The server's indent string per depth level; default one TAB, `""` for none (all depth 0). */
  indent?: string;
  /**
   * Split attributes off the value: trailing ` key=value` tokens (a key with
   * no space or `=`, a value with no space) become attributes. Off by
   * default, because a value can end in such text: attributes then stay in the value.
   */
  attributes?: boolean;
}

const CODE_LINE = /^(\d{3}) (.*)$/;
const ATTRIBUTE = / ([^ =]+)=([^ ]*)$/;

function syntax(message: string): never {
  throw new MidgramError("reply-syntax", `Cannot read the reply: ${message}`);
}

function readLine(text: string, attributes: boolean): MiNode {
  let name: string | null = null;
  let rest = text;
  const separator = text.indexOf(":: ");
  if (separator >= 0) {
    name = text.slice(0, separator);
    rest = text.slice(separator + 3);
  }
  const attrs: MiAttribute[] = [];
  if (attributes) {
    let match;
    while ((match = ATTRIBUTE.exec(rest)) !== null) {
      attrs.unshift({ name: match[1], value: match[2] });
      rest = rest.slice(0, match.index);
    }
  }
  // The writer prints nothing for a missing value and for an empty one alike: read both as null.
  return { name, value: rest === "" ? null : rest, attributes: attrs, children: [] };
}

/**
 * Reads a reply datagram back into a tree. The depth of a line is the count
 * of leading indent strings; `name:: value` lines have a name, others are
 * bare values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReply } from "./parse_reply.ts";
 * parseReply("200 OK\nServer:: OpenSIPS (2.4.11 (x86_64/linux))\n\n");
 * // { code: 200, reason: "OK", bare: false,
 * //   nodes: [{ name: "Server", value: "OpenSIPS (2.4.11 (x86_64/linux))", attributes: [], children: [] }] }
 * assert.deepEqual(parseReply("400 parse_error\n"), { code: 400, reason: "parse_error", nodes: [], bare: true });
 * ```
 *
 * @throws {MidgramError} `truncated-reply` for a tree reply without its final empty
 *   line; `reply-syntax` for anything else that is not a reply. Nothing else, for any input.
 */
export function parseReply(input: Uint8Array | string, options: ParseReplyOptions = {}): MiReply {
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  const indent = options.indent ?? "\t";
  const firstBreak = text.indexOf("\n");
  if (firstBreak < 0) {
    if (CODE_LINE.test(text)) {
      throw new MidgramError("truncated-reply", "Reply cut short: the code line has no newline");
    }
    syntax(`expected a code line such as "200 OK", got ${JSON.stringify(text.slice(0, 60))}`);
  }
  const match = CODE_LINE.exec(text.slice(0, firstBreak));
  if (!match) {
    syntax(
      `expected a code line such as "200 OK", got ${
        JSON.stringify(text.slice(0, firstBreak).slice(0, 60))
      }`,
    );
  }
  const code = Number(match[1]);
  const reason = match[2];
  if (firstBreak === text.length - 1) return { code, reason, nodes: [], bare: true };
  const nodes: MiNode[] = [];
  const stack: MiNode[][] = [nodes];
  let at = firstBreak + 1;
  let lineNumber = 1;
  while (true) {
    const next = text.indexOf("\n", at);
    lineNumber++;
    if (next < 0) {
      throw new MidgramError(
        "truncated-reply",
        `Reply cut short: line ${lineNumber} has no newline and the final empty line is missing`,
      );
    }
    let line = text.slice(at, next);
    at = next + 1;
    if (line === "") {
      if (at !== text.length) {
        syntax(`data after the reply's final empty line (line ${lineNumber + 1})`);
      }
      return { code, reason, nodes, bare: false };
    }
    let depth = 0;
    if (indent !== "") {
      while (line.startsWith(indent)) {
        line = line.slice(indent.length);
        depth++;
      }
    }
    if (depth > stack.length - 1) {
      syntax(
        `line ${lineNumber} is indented ${depth} levels under a node at level ${stack.length - 2}`,
      );
    }
    stack.length = depth + 1;
    if (line === "") syntax(`line ${lineNumber} holds only indentation`);
    const node = readLine(line, options.attributes === true);
    stack[depth].push(node);
    stack.push(node.children);
  }
}
