import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { analyzeRequest } from "./analyze_request.ts";
import { parseRequest } from "./parse_request.ts";
import { RequestSyntaxError } from "./request_syntax_error.ts";
import { formatRequest } from "./format_request.ts";
import { formatReply } from "./format_reply.ts";
import { parseReply } from "./parse_reply.ts";
import { MidgramError } from "../../errors.ts";
import { datagramBytes, reply, request } from "./testing/arbitraries.ts";
import type { MiNode, MiReply } from "./types.ts";

const RUNS = { numRuns: 1000 };

test("parseRequest() throws nothing but RequestSyntaxError, for any bytes", () => {
  fc.assert(
    fc.property(
      datagramBytes,
      fc.constantFrom("compat", "strict") as fc.Arbitrary<"compat" | "strict">,
      (bytes, mode) => {
        const analysis = analyzeRequest(bytes, { mode });
        assert.equal(analysis.request === null, analysis.errors.length > 0);
        try {
          parseRequest(bytes, { mode });
        } catch (e) {
          if (!(e instanceof RequestSyntaxError)) throw e;
        }
      },
    ),
    RUNS,
  );
});

test("analyzeRequest() accepts in compat mode, with the same tree, whatever strict mode accepts", () => {
  fc.assert(
    fc.property(datagramBytes, (bytes) => {
      const strict = analyzeRequest(bytes, { mode: "strict" });
      if (strict.request === null) return;
      assert.deepEqual(analyzeRequest(bytes, { mode: "compat" }).request, strict.request);
    }),
    RUNS,
  );
});

test("parseRequest(formatRequest(x)) gives x back in both modes, or formatRequest refuses it", () => {
  let written = 0;
  fc.assert(
    fc.property(request, ({ command, args }) => {
      let text: string;
      try {
        text = formatRequest(command, args);
      } catch (e) {
        if (e instanceof MidgramError && e.code === "unrepresentable") return;
        throw e;
      }
      written++;
      // A named argument without a value is written `name::` and reads back as an empty value.
      const expected = args.map((a) => ({ name: a.name, value: a.value ?? "" }));
      for (const mode of ["strict", "compat"] as const) {
        const analysis = analyzeRequest(text, { mode });
        assert.deepEqual(analysis.errors, [], `${mode}: ${JSON.stringify(text)}`);
        assert.deepEqual(analysis.request, { command, args: expected });
      }
    }),
    RUNS,
  );
  assert.ok(written > 200, `only ${written} requests were representable`);
});

function normalise(nodes: MiNode[], attributes: boolean): MiNode[] {
  return nodes.map((n) => ({
    name: n.name,
    value: n.value === "" ? null : n.value,
    attributes: attributes ? n.attributes : [],
    children: normalise(n.children, attributes),
  }));
}

/** Round-trips one reply; returns whether formatReply could write it. */
function roundTrip(r: MiReply, attributes: boolean): boolean {
  const tree = attributes ? r : { ...r, nodes: stripAttributes(r.nodes) };
  let text: string;
  try {
    text = formatReply(tree);
  } catch (e) {
    if (e instanceof MidgramError && e.code === "unrepresentable") return false;
    throw e;
  }
  const back = parseReply(text, { attributes });
  assert.deepEqual(back, { ...tree, nodes: normalise(tree.nodes, attributes) });
  return true;
}

function stripAttributes(nodes: MiNode[]): MiNode[] {
  return nodes.map((n) => ({ ...n, attributes: [], children: stripAttributes(n.children) }));
}

test("parseReply(formatReply(t)) equals t", () => {
  let written = 0;
  fc.assert(
    fc.property(reply, (r) => {
      if (roundTrip(r, false)) written++;
    }),
    RUNS,
  );
  assert.ok(written > 300, `only ${written} replies were representable`);
});

test("parseReply(formatReply(t), { attributes: true }) equals t when values do not end like attributes", () => {
  let written = 0;
  fc.assert(
    fc.property(reply, (r) => {
      const endsLikeAttribute = (nodes: MiNode[]): boolean =>
        nodes.some((n) =>
          (n.value !== null && / [^ =]+=[^ ]*$/.test(n.value)) ||
          (n.value !== null && n.attributes.length > 0 && / $/.test(n.value)) ||
          endsLikeAttribute(n.children)
        );
      if (endsLikeAttribute(r.nodes)) return;
      if (roundTrip(r, true)) written++;
    }),
    RUNS,
  );
  assert.ok(written > 100, `only ${written} replies were representable`);
});

test("parseReply() throws nothing but MidgramError, for any text", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 100 })), (input) => {
      try {
        parseReply(input);
      } catch (e) {
        if (!(e instanceof MidgramError)) throw e;
      }
    }),
    RUNS,
  );
});
