/**
 * The tools `midgram mcp` offers an assistant — `list_targets`,
 * `list_methods`, `call_method`, `get_statistics` — written against the
 * client and an injected transport, with no MCP library: the protocol side
 * (`server.ts`) only lists them and hands calls over. Every call is checked
 * against the access table (`access.ts`), bounded in time, reply size and
 * rate, and written to the audit log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMcpTools } from "./tools.ts";
 * import { parseSocketSpec } from "../socket_spec.ts";
 * import { createServer } from "../server/server.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * const server = createServer({ transport, version: "demo" });
 * await server.listen("udp:127.0.0.1:2049", { dialect: "binrpc" });
 * const audit: unknown[] = [];
 * const tools = createMcpTools({
 *   targets: [parseSocketSpec("binrpc=udp:127.0.0.1:2049", "auto")],
 *   transport,
 *   audit: (entry) => audit.push(entry),
 * });
 * const read = await tools.call("call_method", { method: "core.version" }, "test");
 * assert.equal(read.isError, false);
 * assert.deepEqual(read.structuredContent?.result, "demo");
 * const write = await tools.call("call_method", { method: "core.kill" }, "test");
 * assert.equal(write.isError, true);
 * assert.equal(audit.length, 2);
 * await server.close();
 * ```
 *
 * @module
 */
import { listMethods, listMethodsName } from "../client/methods.ts";
import { replyText } from "../client/server_version.ts";
import { type ErrorCode, errorCodeOf, MidgramError } from "../errors.ts";
import { transportClient } from "../exporter/client.ts";
import { readStatistics } from "../exporter/statistics.ts";
import { type ServerKind, serverKindOf } from "../exporter/server_kind.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { clientCodec } from "../protocol/dialects.ts";
import { familyOf } from "../protocol/peer.ts";
import { NO_PARAMS, type Params, paramsFromJson, type Value } from "../protocol/value.ts";
import { valueToJson } from "../protocol/value_json.ts";
import { type Flavour, formatSocketSpec, type SocketSpec } from "../socket_spec.ts";
import type { AnyAddress, Transport } from "../transport/types.ts";
import { type Access, accessOf, decideAccess } from "./access.ts";

/** One line of the audit log: a tool call and how it ended. */
export interface AuditEntry {
  time: string;
  /** Who called: `stdio`, or the HTTP peer's address. */
  client: string;
  tool: string;
  target?: string;
  method?: string;
  params?: unknown;
  /** `ok`, `error-reply`, `refused`, `rate-limited`, `invalid`, or a transport's code (`timeout`, …). */
  outcome: string;
  detail?: string;
  ms: number;
}

/** Options of {@linkcode createMcpTools}. */
export interface McpToolsOptions {
  /** The servers the assistant may reach, named by their address as written. */
  targets: readonly SocketSpec[];
  transport: Transport;
  /** Write methods allowed: names and globs (`htable.*`); a stopping method only by name. */
  allowWrite?: readonly string[];
  /** Time limit of one call to a server, in ms; default 5000. */
  timeoutMs?: number;
  /** The largest reply text handed to the assistant, in bytes; default 65536. */
  maxReplyBytes?: number;
  /** Calls per second per target (a burst of as many); default 10. */
  ratePerSecond?: number;
  /** FIFO targets: the server's reply directory; default /tmp. */
  replyDir?: string;
  /** Where each call's audit line goes. */
  audit: (entry: AuditEntry) => void;
  /** The clock, in ms (tests). */
  now?: () => number;
}

/** A tool as MCP lists it. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, unknown>; required?: string[] };
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; openWorldHint: boolean };
}

/** What a tool call returns, in MCP's `CallToolResult` shape. */
export interface ToolResult {
  content: Array<{ type: "text"; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError: boolean;
}

/** The tools and how to call them. */
export interface McpTools {
  definitions: readonly ToolDefinition[];
  /** Runs a tool; never throws (a failure is a result with `isError`). */
  call(
    name: string,
    args: Record<string, unknown> | undefined,
    client: string,
  ): Promise<ToolResult>;
}

const TARGET_PROPERTY = {
  type: "string",
  description: "The server, by its address as configured (see list_targets); " +
    "may be left out when only one target is configured",
};

/** The four tools. Their names are stable: prompts and scripts rely on them. */
export const TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  {
    name: "list_targets",
    title: "List the SIP servers",
    description: "Lists the OpenSIPS and Kamailio servers configured for this assistant: " +
      "each one's name, dialect, server kind and version. Asks each server its version " +
      "(a read-only call); changes nothing.",
    inputSchema: { type: "object", properties: {} },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: "list_methods",
    title: "List a server's management methods",
    description: "Lists the management methods a server offers (`which` on OpenSIPS, " +
      "`system.listMethods` on Kamailio), each with its help text where the server gives one " +
      "and whether it is a read (runs freely) or a write (runs only when the operator " +
      "allowed it). Read-only.",
    inputSchema: {
      type: "object",
      properties: {
        target: TARGET_PROPERTY,
        help: { type: "boolean", description: "Ask the help text of each method (default true)" },
      },
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: "call_method",
    title: "Call a management method",
    description: "Calls one management method on a server and returns its reply as JSON. " +
      "Methods that only report (e.g. core.version, dispatcher.list, ul.dump, get_statistics) " +
      "run freely; a method that may change the server (reloads, removals, kill) is refused " +
      "unless the operator allowed it, and then it DOES change the live server.",
    inputSchema: {
      type: "object",
      properties: {
        target: TARGET_PROPERTY,
        method: { type: "string", description: "The method, e.g. core.version or ds_list" },
        params: {
          description: "Its parameters: a list (positional) or an object (named)",
          anyOf: [{ type: "array" }, { type: "object" }],
        },
      },
      required: ["method"],
    },
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
  },
  {
    name: "get_statistics",
    title: "Read a server's statistics",
    description: "Reads statistics counters (`get_statistics` on OpenSIPS, `stats.fetch` on " +
      "Kamailio) as name → number. Names are statistics or groups (`core:`, `tm.`, `all`). " +
      "Read-only.",
    inputSchema: {
      type: "object",
      properties: {
        target: TARGET_PROPERTY,
        names: {
          type: "array",
          items: { type: "string" },
          description: "Statistics or groups; default all",
        },
      },
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
];

/** The audit outcome of a tool error of ours, and its code in `lib/errors.ts`. */
const TOOL_FAILURES = {
  "invalid": "invalid-params",
  "refused": "refused",
  "rate-limited": "refused",
  "error-reply": "error-reply",
} as const satisfies Record<string, ErrorCode>;

/** A tool error that goes back to the assistant with its audit outcome. */
class ToolFailure extends MidgramError {
  /** What the audit log says. */
  readonly outcome: keyof typeof TOOL_FAILURES;

  constructor(outcome: keyof typeof TOOL_FAILURES, message: string) {
    super(TOOL_FAILURES[outcome], message);
    this.name = "ToolFailure";
    this.outcome = outcome;
  }
}

/** What is known of a target between calls. */
interface Resolved {
  dialect: DialectName;
  flavour?: Flavour;
  address: AnyAddress;
  kind: ServerKind;
}

/** Cuts the text of a reply to `max` bytes of UTF-8, saying what was cut. */
function cutText(text: string, max: number): { text: string; cut: number } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return { text, cut: 0 };
  // A cut inside a character is dropped by the decoder (the replacement is removed).
  const kept = new TextDecoder().decode(bytes.subarray(0, max)).replace(/\uFFFD$/, "");
  return { text: kept, cut: bytes.length - new TextEncoder().encode(kept).length };
}

/** The neutral parameters of a JSON list or object. */
function paramsOf(value: unknown): Params {
  if (value === undefined || value === null) return NO_PARAMS;
  const params = paramsFromJson(value);
  if (params === null) throw new ToolFailure("invalid", "'params' must be a list or an object");
  return params;
}

/** A reply value as plain JSON data (repeated struct members as midgram's --json writes them). */
function jsonData(value: Value): unknown {
  return JSON.parse(valueToJson(value));
}

/** Creates the tools over the given targets. */
export function createMcpTools(options: McpToolsOptions): McpTools {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxReplyBytes = options.maxReplyBytes ?? 65536;
  const rate = options.ratePerSecond ?? 10;
  const allowWrite = options.allowWrite ?? [];
  const now = options.now ?? (() => performance.now());
  const resolved = new Map<string, Resolved>();
  const buckets = new Map<string, { tokens: number; at: number }>();

  const targetOf = (args: Record<string, unknown>): SocketSpec => {
    const name = args.target;
    if (name === undefined || name === null || name === "") {
      if (options.targets.length === 1) return options.targets[0];
      throw new ToolFailure(
        "invalid",
        `Name a target: ${options.targets.map((t) => `"${t.text}"`).join(", ")}`,
      );
    }
    const found = options.targets.find((t) => t.text === name || formatSocketSpec(t) === name);
    if (!found) {
      throw new ToolFailure(
        "invalid",
        `No target "${String(name)}": the targets are ${
          options.targets.map((t) => `"${t.text}"`).join(", ")
        }`,
      );
    }
    return found;
  };

  /** One token of the target's bucket, or a refusal. */
  const take = (target: SocketSpec) => {
    const t = now();
    const bucket = buckets.get(target.text) ?? { tokens: rate, at: t };
    bucket.tokens = Math.min(rate, bucket.tokens + ((t - bucket.at) / 1000) * rate);
    bucket.at = t;
    buckets.set(target.text, bucket);
    if (bucket.tokens < 1) {
      throw new ToolFailure(
        "rate-limited",
        `Too many calls to "${target.text}": at most ${rate} a second; try again shortly`,
      );
    }
    bucket.tokens -= 1;
  };

  const client = transportClient(options.transport);

  /** A method's result (a binrpc reply of one record is that record, as JSON-RPC's result). */
  const callValue = (r: Resolved, method: string, params: Params): Promise<Value> =>
    client.call(r.address, method, params, {
      dialect: r.dialect,
      flavour: r.flavour,
      timeoutMs,
      replyDir: options.replyDir,
    });

  /** The dialect, flavour and server kind of a target: as configured, or asked once. */
  const resolve = async (target: SocketSpec): Promise<Resolved> => {
    const known = resolved.get(target.text);
    if (known) return known;
    let dialect = target.dialect;
    let flavour = target.flavour;
    let address = target.address;
    if (dialect === "auto") {
      const found = await client.detect(address, { timeoutMs });
      dialect = found.dialect;
      flavour ??= found.flavour;
      address = found.address ?? address;
    }
    if (dialect === "jsonrpc" && flavour === undefined) {
      // FIFO and HTTP: OpenSIPS answers `version`, Kamailio says Method Not Found.
      try {
        await callValue({ dialect, address, kind: "opensips" }, "version", NO_PARAMS);
        flavour = "opensips";
      } catch (error) {
        if (errorCodeOf(error) !== "method-not-found") throw error;
        flavour = "kamailio";
      }
    }
    const r: Resolved = { dialect, flavour, address, kind: serverKindOf(dialect, flavour) };
    resolved.set(target.text, r);
    return r;
  };

  const versionOf = async (r: Resolved): Promise<string> => {
    return replyText(await callValue(r, familyOf(r.kind).methods.version, NO_PARAMS), "Server");
  };

  const finish = (data: Record<string, unknown>, summary: string): ToolResult => {
    const full = JSON.stringify(data);
    const { text, cut } = cutText(full, maxReplyBytes);
    if (cut === 0) {
      return {
        content: [{ type: "text", text: `${summary}\n${full}` }],
        structuredContent: data,
        isError: false,
      };
    }
    const note =
      `(cut: ${cut} of ${full.length} bytes left out, over the ${maxReplyBytes}-byte limit ` +
      "given to the assistant; ask for less, e.g. one method's statistics)";
    return {
      content: [{ type: "text", text: `${summary} ${note}\n${text}` }],
      structuredContent: { truncated: true, cut_bytes: cut, note, text },
      isError: false,
    };
  };

  const tools: Record<
    string,
    (args: Record<string, unknown>, entry: AuditEntry) => Promise<ToolResult>
  > = {
    async list_targets() {
      const rows = await Promise.all(options.targets.map(async (t) => {
        try {
          const r = await resolve(t);
          return {
            name: t.text,
            dialect: r.flavour ? `${r.dialect}/${r.flavour}` : r.dialect,
            server: r.kind,
            version: await versionOf(r),
            up: true,
          };
        } catch (error) {
          return { name: t.text, dialect: t.dialect, up: false, error: messageOf(error) };
        }
      }));
      const up = rows.filter((r) => r.up).length;
      return finish({ targets: rows }, `${rows.length} targets, ${up} answering`);
    },

    async list_methods(args, entry) {
      const target = targetOf(args);
      entry.target = target.text;
      take(target);
      const r = await resolve(target);
      const names = await listMethods(r.address, {
        transport: options.transport,
        codec: clientCodec(r.dialect, { flavour: r.flavour }),
        flavour: r.flavour,
        timeoutMs,
        replyDir: options.replyDir,
      });
      if (names.length === 0) {
        throw new ToolFailure(
          "error-reply",
          `${listMethodsName(r.dialect, r.flavour)} gave no methods`,
        );
      }
      const withHelp = args.help !== false;
      const helpOf = async (method: string): Promise<string | undefined> => {
        if (!withHelp) return undefined;
        try {
          const { help, helpParams } = familyOf(r.kind).methods;
          const value = await callValue(r, help, helpParams(method));
          return replyText(value, "Help");
        } catch {
          return undefined;
        }
      };
      // A few at a time: a server has one or a few management processes.
      const methods: Array<{ name: string; access: Access; help?: string }> = [];
      for (let i = 0; i < names.length; i += 8) {
        const chunk = names.slice(i, i + 8);
        const helps = await Promise.all(chunk.map(helpOf));
        chunk.forEach((name, j) => {
          methods.push({ name, access: accessOf(name), ...(helps[j] ? { help: helps[j] } : {}) });
        });
      }
      const writes = methods.filter((m) => m.access === "write").length;
      return finish(
        { target: target.text, methods },
        `${methods.length} methods on ${target.text} (${writes} may change the server)`,
      );
    },

    async call_method(args, entry) {
      const target = targetOf(args);
      const method = args.method;
      entry.target = target.text;
      if (typeof method !== "string" || method === "") {
        throw new ToolFailure("invalid", "'method' must be a method name");
      }
      entry.method = method;
      entry.params = args.params;
      const decision = decideAccess(method, allowWrite);
      if (!decision.allowed) throw new ToolFailure("refused", decision.reason!);
      const params = paramsOf(args.params);
      take(target);
      const r = await resolve(target);
      const value = await callValue(r, method, params);
      return finish(
        { target: target.text, method, access: decision.access, result: jsonData(value) },
        `${method} on ${target.text} answered`,
      );
    },

    async get_statistics(args, entry) {
      const target = targetOf(args);
      entry.target = target.text;
      const names = args.names ?? ["all"];
      if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
        throw new ToolFailure("invalid", "'names' must be a list of statistic names");
      }
      take(target);
      const r = await resolve(target);
      const { method, params: paramsOf, separator } = familyOf(r.kind).statistics;
      const params = paramsOf(names);
      entry.method = method;
      const value = await callValue(r, method, params);
      const statistics: Record<string, number> = {};
      for (const s of readStatistics(value, r.kind).statistics) {
        statistics[s.group ? `${s.group}${separator}${s.name}` : s.name] = s.value;
      }
      return finish(
        { target: target.text, statistics },
        `${Object.keys(statistics).length} statistics from ${target.text}`,
      );
    },
  };

  return {
    definitions: TOOL_DEFINITIONS,
    async call(name, args, caller) {
      const started = now();
      const entry: AuditEntry = {
        time: new Date().toISOString(),
        client: caller,
        tool: name,
        outcome: "ok",
        ms: 0,
      };
      let result: ToolResult;
      try {
        const run = tools[name];
        if (!run) throw new ToolFailure("invalid", `No tool "${name}"`);
        result = await run(args ?? {}, entry);
      } catch (error) {
        const code = errorCodeOf(error);
        entry.outcome = error instanceof ToolFailure
          ? error.outcome
          : code === "method-not-found"
          ? "error-reply"
          : code ?? "error";
        entry.detail = messageOf(error);
        result = { content: [{ type: "text", text: entry.detail }], isError: true };
      }
      entry.ms = Math.round((now() - started) * 10) / 10;
      options.audit(entry);
      return result;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
