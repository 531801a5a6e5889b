/**
 * fast-check arbitraries for requests and replies, shared by the property
 * tests and by `midgram fuzz`.
 *
 * @module
 */
import fc from "fast-check";
import type { MiArgument, MiAttribute, MiNode, MiReply } from "../types.ts";

/** Characters that stress the parser: separators, quotes, escapes, white space, non-ASCII. */
const TRICKY = [":", "::", '"', "\\", " ", "\t", "\r", "\n", "=", "é", "☃", "𝄞", "\v", "\f"];

/** A string mixing ordinary words with the characters the grammar cares about. */
export function trickyString(maxLength = 12): fc.Arbitrary<string> {
  return fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 4 }) },
      { weight: 2, arbitrary: fc.constantFrom(...TRICKY) },
      { weight: 1, arbitrary: fc.constantFrom("dialog:", "tm", "sip:alice@example.com", "42") },
    ),
    { maxLength },
  ).map((parts) => parts.join(""));
}

/** A command name the servers could register: no white space, control characters or ':'. */
export const commandName: fc.Arbitrary<string> = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,20}$/);

/** Any argument, representable or not. */
export const argument: fc.Arbitrary<MiArgument> = fc.record({
  name: fc.option(trickyString(6), { nil: null }),
  value: fc.option(trickyString(), { nil: null }),
}, { noNullPrototype: true });

/** A request: command and arguments. */
export const request: fc.Arbitrary<{ command: string; args: MiArgument[] }> = fc.record({
  command: commandName,
  args: fc.array(argument, { maxLength: 6 }),
}, { noNullPrototype: true });

const replyText = fc.stringMatching(/^[^\n\0]{0,12}$/);

const attribute: fc.Arbitrary<MiAttribute> = fc.record({
  name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,6}$/),
  value: fc.stringMatching(/^[^ \n\0]{0,8}$/),
}, { noNullPrototype: true });

function nodeAt(depth: number): fc.Arbitrary<MiNode> {
  return fc.record({
    name: fc.option(replyText, { nil: null }),
    value: fc.option(replyText, { nil: null }),
    attributes: fc.array(attribute, { maxLength: 2 }),
    children: depth === 0 ? fc.constant([]) : fc.array(nodeAt(depth - 1), { maxLength: 2 }),
  }, { noNullPrototype: true });
}

/** A reply node tree, up to four levels deep (some trees cannot be written: formatReply refuses those). */
export const replyNode: fc.Arbitrary<MiNode> = nodeAt(3);

/** A reply: a tree reply or a bare (fixed) one. */
export const reply: fc.Arbitrary<MiReply> = fc.oneof(
  fc.record({
    code: fc.integer({ min: 100, max: 999 }),
    reason: fc.stringMatching(/^[^\n\r\0]{0,20}$/),
    nodes: fc.array(replyNode, { maxLength: 4 }),
    bare: fc.constant(false),
  }, { noNullPrototype: true }),
  fc.record({
    code: fc.integer({ min: 100, max: 999 }),
    reason: fc.stringMatching(/^[^\n\r\0]{0,20}$/),
    nodes: fc.constant<MiNode[]>([]),
    bare: fc.constant(true),
  }, { noNullPrototype: true }),
);

/** Raw datagrams: random bytes, and request-shaped bytes with random damage. */
export const datagramBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.tuple(commandName, fc.array(trickyString(20), { maxLength: 6 })).map(([c, lines]) =>
    new TextEncoder().encode(`:${c}:\n${lines.join("\n")}`)
  ),
);
