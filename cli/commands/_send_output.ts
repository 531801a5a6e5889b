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
import { Double, isStruct, structEntries, type Value } from "../../lib/protocol/value.ts";
import { valueToJson } from "../../lib/protocol/value_json.ts";

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

function findNode(nodes: readonly MiNode[], name: string): string | null | undefined {
  for (const n of nodes) {
    if (n.name === name) return n.value ?? "";
    const deeper = findNode(n.children, name);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/** Follows a member path (`Processes.0.PID`) into a value. */
export function valueAt(value: Value, path: string): Value | undefined {
  let here: Value | undefined = value;
  for (const step of path.split(".")) {
    if (here === undefined) return undefined;
    if (Array.isArray(here)) {
      if (!/^\d+$/.test(step)) return undefined;
      here = (here as readonly Value[])[Number(step)];
    } else if (isStruct(here)) {
      here = structEntries(here).find(([n]) => n === step)?.[1];
    } else return undefined;
  }
  return here;
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
 * import { renderReply } from "./_send_output.ts";
 * const bytes = new TextEncoder().encode("200 OK\nServer:: x\n\n");
 * renderReply("mi", { bytes, outcome: { kind: "result", value: [] }, error: null, rttMs: 1, from: null },
 *   { kind: "value", path: "Server" }, { pretty: false, indent: "\t" }).bytes; // "x\n"
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
    const text = valueToJson(errorValue ?? (outcome as { value: Value }).value, {
      indent: jsonIndent,
    });
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
    const found = valueAt(value, mode.path);
    if (found === undefined) return { missing: `no member at "${mode.path}"` };
    return { bytes: scalarLine(found) + "\n" };
  }
  // ctl's FIFO protocol: the reply as it came (status line, then one value a line).
  if (dialect === "ctlfifo") return { bytes: reply.bytes };
  if (dialect === "binrpc") {
    const values = Array.isArray(value) ? value as readonly Value[] : [value];
    return { bytes: formatKamcmd(values, mode.kind === "format" ? { format: mode.format } : {}) };
  }
  return { bytes: valueToJson(value, { indent: jsonIndent }) + "\n" };
}
