/**
 * The `[mcp]` table of the configuration file. Pure: every error names the
 * file, the line and the key.
 *
 * ```toml
 * [mcp]
 * targets = ["binrpc=unixs:/run/kamailio/kamailio_ctl", "jsonrpc=/run/opensips/mi.sock"]
 * allow_write = ["htable.*", "dispatcher.reload"]
 * http = "127.0.0.1:8765"          # streamable HTTP instead of stdio
 * token_file = "/etc/midgram/mcp.token"
 * audit = "/var/log/midgram/mcp-audit.jsonl"
 * timeout = "5s"
 * max_reply_bytes = 65536
 * rate = 10
 * ```
 *
 * @module
 */
import { parseDuration } from "../duration.ts";
import { MidgramError } from "../errors.ts";
import { lineOf, type RawTable, suggest } from "../config/parse_config.ts";
import { DIALECT_CHOICES, type DialectChoice } from "../socket_spec.ts";

/** The `[mcp]` table, checked. */
export interface McpConfig {
  targets?: string[];
  dialect?: DialectChoice;
  allowWrite?: string[];
  http?: string;
  tokenFile?: string;
  audit?: string;
  timeoutMs?: number;
  maxReplyBytes?: number;
  rate?: number;
  fifoReplyDir?: string;
}

const KEYS = [
  "targets",
  "dialect",
  "allow_write",
  "http",
  "token_file",
  "audit",
  "timeout",
  "max_reply_bytes",
  "rate",
  "fifo_reply_dir",
];

/**
 * Reads the `[mcp]` table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMcpConfig } from "./config.ts";
 * const text = '[mcp]\nallow_write = ["htable.*"]\ntimeout = "2s"\n';
 * const c = parseMcpConfig({ table: { allow_write: ["htable.*"], timeout: "2s" }, text, file: "m.toml" });
 * assert.deepEqual(c, { allowWrite: ["htable.*"], timeoutMs: 2000 });
 * assert.throws(() => parseMcpConfig({ table: { rate: 0 }, text: "[mcp]\nrate = 0\n", file: "m.toml" }));
 * ```
 *
 * @throws {MidgramError} `config`, naming the file, line and key.
 */
export function parseMcpConfig({ table, text, file }: RawTable): McpConfig {
  const fail = (key: string, detail: string): never => {
    throw new MidgramError(
      "config",
      `Invalid config "${file}" at line ${lineOf(text, "mcp", key)}: mcp.${key}: ${detail}`,
    );
  };
  for (const key of Object.keys(table)) {
    if (!KEYS.includes(key)) {
      const near = suggest(key, KEYS);
      fail(key, `unknown key${near ? `: did you mean "${near}"?` : ""}`);
    }
  }
  const str = (key: string): string | undefined => {
    const v = table[key];
    if (v !== undefined && typeof v !== "string") fail(key, "expected a string");
    return v as string | undefined;
  };
  const strs = (key: string): string[] | undefined => {
    const v = table[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      fail(key, "expected a list of strings");
    }
    return v as string[];
  };
  const positive = (key: string): number | undefined => {
    const v = table[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      fail(key, "expected a positive integer");
    }
    return v as number;
  };
  const c: McpConfig = {};
  const set = <K extends keyof McpConfig>(key: K, value: McpConfig[K] | undefined) => {
    if (value !== undefined) c[key] = value;
  };
  set("targets", strs("targets"));
  const dialect = str("dialect");
  if (dialect !== undefined && !DIALECT_CHOICES.includes(dialect as DialectChoice)) {
    fail("dialect", `expected one of ${DIALECT_CHOICES.join(", ")}, got "${dialect}"`);
  }
  set("dialect", dialect as DialectChoice | undefined);
  set("allowWrite", strs("allow_write"));
  set("http", str("http"));
  set("tokenFile", str("token_file"));
  set("audit", str("audit"));
  const timeout = str("timeout");
  if (timeout !== undefined) {
    try {
      c.timeoutMs = parseDuration(timeout, "timeout");
    } catch (error) {
      fail("timeout", (error as Error).message);
    }
  }
  set("maxReplyBytes", positive("max_reply_bytes"));
  set("rate", positive("rate"));
  set("fifoReplyDir", str("fifo_reply_dir"));
  return c;
}
