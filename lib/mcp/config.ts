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
import { keyReader, type RawTable } from "../config/parse_config.ts";
import type { DialectChoice } from "../socket_spec.ts";

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
  const r = keyReader(text, file);
  const fail = (key: string, detail: string): never => r.fail("mcp", key, detail);
  r.known(table, "mcp", KEYS);
  const str = (key: string) => r.str(table, "mcp", key);
  const strs = (key: string) => r.strs(table, "mcp", key);
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
  set("dialect", r.dialect(table, "mcp", "dialect"));
  set("allowWrite", strs("allow_write"));
  set("http", str("http"));
  set("tokenFile", str("token_file"));
  set("audit", str("audit"));
  set("timeoutMs", r.duration(table, "mcp", "timeout"));
  set("maxReplyBytes", positive("max_reply_bytes"));
  set("rate", positive("rate"));
  set("fifoReplyDir", str("fifo_reply_dir"));
  return c;
}
