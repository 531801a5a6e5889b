/**
 * The invariants the fuzzer checks on every input.
 *
 * @module
 */
import { errorCodeOf } from "../errors.ts";
import {
  type AnalyzeOptions,
  analyzeRequest,
  type RequestAnalysis,
} from "../protocol/mi/analyze_request.ts";
import { formatRequest } from "../protocol/mi/format_request.ts";
import { formatReply } from "../protocol/mi/format_reply.ts";
import { parseReply } from "../protocol/mi/parse_reply.ts";
import type { MiNode, MiReply } from "../protocol/mi/types.ts";

/** The request analyzer under test (the real one, or a planted-bug variant in tests). */
export type Analyzer = (input: Uint8Array, options?: AnalyzeOptions) => RequestAnalysis;

/** A broken invariant. */
export interface Violation {
  /** Which invariant: `throws`, `strict-not-compat`, `tree-differs`, `format-invalid`, `round-trip`, `reply-round-trip`. */
  invariant: string;
  message: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Checks the request invariants on one input: the analyzer never throws; a
 * request valid in strict mode is valid in compat mode with the same tree;
 * `formatRequest` of the parsed arguments is strict-valid and parses back to
 * the same arguments (or is refused as unrepresentable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRequest } from "./invariants.ts";
 * assert.equal(checkRequest(new TextEncoder().encode(":version:\n")), null); // all hold
 * ```
 */
export function checkRequest(
  bytes: Uint8Array,
  analyze: Analyzer = analyzeRequest,
): Violation | null {
  let compat: RequestAnalysis;
  let strict: RequestAnalysis;
  try {
    compat = analyze(bytes, { mode: "compat" });
    strict = analyze(bytes, { mode: "strict" });
  } catch (error) {
    return {
      invariant: "throws",
      message: `the parser threw ${error instanceof Error ? error.stack : error}`,
    };
  }
  if (strict.request !== null && compat.request === null) {
    return {
      invariant: "strict-not-compat",
      message: "valid in strict mode but not in compat mode",
    };
  }
  if (strict.request !== null && !same(strict.request, compat.request)) {
    return {
      invariant: "tree-differs",
      message: `strict and compat trees differ: ${JSON.stringify(strict.request)} vs ${
        JSON.stringify(compat.request)
      }`,
    };
  }
  const request = compat.request;
  if (request === null || compat.warnings.some((w) => w.code === "invalid-utf8")) return null;
  let text: string;
  try {
    text = formatRequest(request.command, request.args);
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === "unrepresentable" || code === "request-too-large") return null;
    return { invariant: "throws", message: `formatRequest threw ${error}` };
  }
  let back: RequestAnalysis;
  try {
    back = analyze(new TextEncoder().encode(text), { mode: "strict" });
  } catch (error) {
    return { invariant: "throws", message: `the parser threw on formatRequest output: ${error}` };
  }
  if (back.request === null) {
    return {
      invariant: "format-invalid",
      message: `formatRequest wrote ${JSON.stringify(text)}, which strict mode rejects: ${
        back.errors[0]?.message
      }`,
    };
  }
  if (!same(back.request, request)) {
    return {
      invariant: "round-trip",
      message: `formatRequest(${JSON.stringify(request)}) read back as ${
        JSON.stringify(back.request)
      }`,
    };
  }
  return null;
}

function normalise(nodes: MiNode[]): MiNode[] {
  return nodes.map((n) => ({
    name: n.name,
    value: n.value === "" ? null : n.value,
    attributes: [],
    children: normalise(n.children),
  }));
}

/**
 * Checks that a reply tree survives `formatReply` then `parseReply` (or is
 * refused as unrepresentable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReply } from "./invariants.ts";
 * assert.equal(checkReply({ code: 200, reason: "OK", nodes: [], bare: false }), null);
 * ```
 */
export function checkReply(reply: MiReply): Violation | null {
  const plain = { ...reply, nodes: normalise(reply.nodes) };
  let text: string;
  try {
    text = formatReply(plain);
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === "unrepresentable" || code === "reply-too-large") return null;
    return { invariant: "throws", message: `formatReply threw ${error}` };
  }
  try {
    const back = parseReply(text);
    if (!same(back, plain)) {
      return {
        invariant: "reply-round-trip",
        message: `${JSON.stringify(text)} read back as ${JSON.stringify(back)}`,
      };
    }
  } catch (error) {
    return {
      invariant: "reply-round-trip",
      message: `parseReply refused formatReply's ${JSON.stringify(text)}: ${error}`,
    };
  }
  return null;
}
