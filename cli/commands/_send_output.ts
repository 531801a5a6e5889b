/**
 * How `send` prints a reply in each dialect and output mode.
 *
 * @module
 */
import type { CallReply } from "../../lib/client/call.ts";
import type { DialectName } from "../../lib/protocol/dialect.ts";
import { formatKamcmd } from "../../lib/protocol/binrpc/format_kamcmd.ts";
import { parseReply } from "../../lib/protocol/mi/parse_reply.ts";
import type { MiNode } from "../../lib/protocol/mi/types.ts";
import { Double, type Value } from "../../lib/protocol/value.ts";
import { jsonShape, valueToJson } from "../../lib/protocol/value_json.ts";
import { walk } from "../../lib/protocol/value_path.ts";
import { replyResult } from "../../lib/protocol/reply_result.ts";

/** The output modes of `send`. */
export type OutputMode =
  | { kind: "default" }
  | { kind: "raw" }
  | { kind: "json" }
  | { kind: "value"; path: string }
  | { kind: "format"; format: string };

/** What to print: bytes for stdout, the JSON text (for several servers), or what is missing. */
export interface Rendered {
  bytes?: Uint8Array | string;
  text?: string;
  missing?: string;
}

/**
 * The text of the first node with this name: its value, or, for a node with
 * attributes (`Process::  ID=0 PID=12219`), its value and attributes as the
 * line shows them, without the space that stands for the empty value.
 */
function findNode(nodes: readonly MiNode[], name: string): string | undefined {
  for (const n of nodes) {
    if (n.name === name) {
      const text = n.value ?? "";
      return /^( [^\s=]+=\S*)+$/.test(text) ? text.slice(1) : text;
    }
    const deeper = findNode(n.children, name);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/** The result of a reply as JSON shows it and paths read it ({@linkcode replyResult}). */
export function jsonResult(dialect: DialectName, value: Value): Value {
  return jsonShape(replyResult(dialect, value));
}

function scalarLine(value: Value): string {
  if (typeof value === "string") return value;
  if (value instanceof Double) return String(value.value);
  if (value === null || typeof value !== "object") return String(value);
  return valueToJson(value);
}

function miJson(reply: CallReply, indent: string, pretty: boolean): string {
  const tree = parseReply(reply.bytes, { indent, attributes: true });
  const nodes = (list: MiNode[]): unknown[] =>
    list.map((n) => ({
      name: n.name,
      value: n.value,
      attributes: Object.fromEntries(n.attributes.map((a) => [a.name, a.value])),
      children: nodes(n.children),
    }));
  return JSON.stringify(
    { code: tree.code, reason: tree.reason, nodes: nodes(tree.nodes) },
    null,
    pretty ? 2 : undefined,
  );
}

/**
 * Renders one reply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderReply } from "./_send_output.ts";
 * const bytes = new TextEncoder().encode("200 OK\nServer:: x\n\n");
 * const out = renderReply("mi", { bytes, outcome: { kind: "result", value: [] }, error: null, rttMs: 1, from: null },
 *   { kind: "value", path: "Server" }, { pretty: false, indent: "\t" });
 * assert.equal(out.bytes, "x\n");
 * ```
 */
export function renderReply(
  dialect: DialectName,
  reply: CallReply,
  mode: OutputMode,
  options: { pretty: boolean; indent: string },
): Rendered {
  const outcome = reply.outcome;
  if (mode.kind === "raw" || outcome === null) return { bytes: reply.bytes };
  const jsonIndent = options.pretty ? "  " : "";
  if (dialect === "mi") {
    if (mode.kind === "json") {
      const text = miJson(reply, options.indent, options.pretty);
      return { bytes: text + "\n", text };
    }
    if (mode.kind === "value") {
      if (outcome.kind !== "result") return {};
      const tree = parseReply(reply.bytes, { indent: options.indent });
      const value = findNode(tree.nodes, mode.path);
      if (value === undefined) return { missing: `no node named "${mode.path}"` };
      return { bytes: `${value}\n` };
    }
    return { bytes: reply.bytes };
  }
  const errorValue: Value | null = outcome.kind === "error"
    ? {
      error: outcome.data === undefined
        ? { code: outcome.code, message: outcome.message }
        : { code: outcome.code, message: outcome.message, data: outcome.data },
    }
    : null;
  if (mode.kind === "json") {
    const text = valueToJson(
      errorValue ?? jsonResult(dialect, (outcome as { value: Value }).value),
      { indent: jsonIndent },
    );
    return { bytes: text + "\n", text };
  }
  if (outcome.kind === "error") {
    if (dialect === "binrpc") return { bytes: `error: ${outcome.code} - ${outcome.message}\n` };
    // A raw-text reply (`400 Parse_error`) is shown as it came.
    if (reply.bytes[0] !== 0x7b && /^\d{3} /.test(new TextDecoder().decode(reply.bytes))) {
      return { bytes: reply.bytes };
    }
    return { bytes: valueToJson(errorValue, { indent: jsonIndent }) + "\n" };
  }
  const value = outcome.value;
  if (mode.kind === "value") {
    let found;
    try {
      found = walk(jsonResult(dialect, value), mode.path);
    } catch (error) {
      return { missing: (error as Error).message };
    }
    if (found.length === 0) return { missing: `no member at "${mode.path}"` };
    return { bytes: found.map((place) => scalarLine(place.value) + "\n").join("") };
  }
  // ctl's FIFO protocol: the reply as it came (status line, then one value a line).
  if (dialect === "ctlfifo") return { bytes: reply.bytes };
  if (dialect === "binrpc") {
    const values = Array.isArray(value) ? value as readonly Value[] : [value];
    return { bytes: formatKamcmd(values, mode.kind === "format" ? { format: mode.format } : {}) };
  }
  return { bytes: valueToJson(value, { indent: jsonIndent }) + "\n" };
}
