/**
 * The midgram configuration file: TOML, shared by `serve` and `send`. Pure:
 * takes the text and the file name; every error names the file, the line and
 * the key.
 *
 * @module
 */
import { parse, TomlError } from "smol-toml";
import { MidgramError } from "../errors.ts";
import { parseDuration } from "../duration.ts";
import {
  DIALECT_CHOICES,
  type DialectChoice,
  type Flavour,
  parseSocketSpec,
} from "../socket_spec.ts";

/** A command that runs a program (never through a shell). */
export interface ExecCommandConfig {
  /** Program and its first arguments; the request's arguments are appended. */
  exec: string[];
  /** Time limit in ms; default 10000. */
  timeoutMs: number;
  /** Bytes of output kept; more is an error reply. Default 65000. */
  maxOutput: number;
  noInput: boolean;
  help: string;
}

/** The `[server]` table. */
export interface ServerConfig {
  /** Sockets as written (`[DIALECT[/FLAVOUR]=]ADDRESS`), checked when read. */
  sockets: string[];
  /** The dialect of sockets written without one. */
  dialect?: "mi" | "jsonrpc" | "binrpc" | "ctlfifo";
  /** The JSON-RPC flavour of sockets written without one. */
  flavour?: Flavour;
  mode?: number;
  user?: string;
  group?: string;
  replyIndent?: string;
  timeoutMs?: number;
  handlerTimeoutMs?: number;
  /** How long a stop lets running commands finish (`stop_timeout`). */
  stopTimeoutMs?: number;
  children?: number;
  logLevel?: "error" | "warn" | "info" | "debug";
  logFormat?: "text" | "json";
  allow?: string[];
  disable?: string[];
  /** binrpc: convert parameters as ctl's `autoconversion` does. */
  autoconversion?: boolean;
  /** `idle_timeout`: a stream or HTTP connection silent this long is closed. */
  idleTimeoutMs?: number;
  /** `max_connections`: connections open at once per stream or HTTP listener. */
  maxConnections?: number;
}

/** The `[client]` table. */
export interface ClientConfig {
  /** The socket as written (`[DIALECT=]ADDRESS`), checked when read. */
  socket?: string;
  dialect?: DialectChoice;
  flavour?: Flavour;
  timeoutMs?: number;
  retries?: number;
}

/** A whole configuration file. */
export interface Config {
  server: ServerConfig;
  client: ClientConfig;
  commands: Record<string, ExecCommandConfig>;
  /** The `[exporter]` table as written, read by `lib/exporter/config.ts`. */
  exporter?: RawTable;
  /** The `[mcp]` table as written, read by `lib/mcp/config.ts`. */
  mcp?: RawTable;
}

/** A table kept as written, for the module that reads it. */
export interface RawTable {
  table: Record<string, unknown>;
  text: string;
  file: string;
}

/** The top-level tables of the configuration file. */
const TABLES = ["server", "client", "commands", "exporter", "mcp"];

const SERVER_KEYS = [
  "sockets",
  "dialect",
  "flavour",
  "mode",
  "user",
  "group",
  "reply_indent",
  "timeout",
  "handler_timeout",
  "stop_timeout",
  "children",
  "log_level",
  "log_format",
  "allow",
  "disable",
  "autoconversion",
  "idle_timeout",
  "max_connections",
];
const CLIENT_KEYS = ["socket", "dialect", "flavour", "timeout", "retries"];
const COMMAND_KEYS = ["exec", "timeout", "max_output", "no_input", "help"];

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length];
}

/** The closest known key within two edits, for "did you mean". */
export function suggest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Finds the 1-based line of `key` inside the table `table` (dotted path), or of the table. */
export function lineOf(text: string, table: string, key?: string): number {
  const lines = text.split("\n");
  let current = "";
  let tableLine = 0;
  const header = /^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$/;
  for (let i = 0; i < lines.length; i++) {
    const m = header.exec(lines[i]);
    if (m) {
      current = m[1].replace(/\s*\.\s*/g, ".").replace(/"/g, "");
      if (current === table && tableLine === 0) tableLine = i + 1;
      continue;
    }
    if (key !== undefined && current === table) {
      const k = new RegExp(`^\\s*"?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"?\\s*=`);
      if (k.test(lines[i])) return i + 1;
    }
  }
  return tableLine || 1;
}

/** Reads a subcommand's own table of a config file ({@linkcode keyReader}). */
export interface KeyReader {
  /** Refuses `table.key` with `detail`, naming the file and line. */
  fail(table: string, key: string, detail: string): never;
  /** Refuses a key of `t` that is not in `keys`, with the nearest known one. */
  known(t: Record<string, unknown>, table: string, keys: readonly string[]): void;
  str(t: Record<string, unknown>, table: string, key: string): string | undefined;
  strs(t: Record<string, unknown>, table: string, key: string): string[] | undefined;
  /** A duration written as text (`"5s"`), in ms. */
  duration(t: Record<string, unknown>, table: string, key: string): number | undefined;
  /** One of {@linkcode DIALECT_CHOICES}. */
  dialect(t: Record<string, unknown>, table: string, key: string): DialectChoice | undefined;
}

/**
 * The key checks of the subcommands' own tables (`[exporter]`, `[mcp]`):
 * each refusal a `config` error naming the file, line and key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyReader } from "./parse_config.ts";
 * const r = keyReader('[mcp]\ntimeout = "2s"\n', "m.toml");
 * assert.equal(r.duration({ timeout: "2s" }, "mcp", "timeout"), 2000);
 * assert.throws(() => r.str({ http: 1 }, "mcp", "http"), /line 1: mcp.http: expected a string/);
 * ```
 */
export function keyReader(text: string, file: string): KeyReader {
  const fail = (table: string, key: string, detail: string): never => {
    throw new MidgramError(
      "config",
      `Invalid config "${file}" at line ${lineOf(text, table, key)}: ${table}.${key}: ${detail}`,
    );
  };
  const str = (t: Record<string, unknown>, table: string, key: string): string | undefined => {
    const v = t[key];
    if (v !== undefined && typeof v !== "string") fail(table, key, "expected a string");
    return v as string | undefined;
  };
  return {
    fail,
    known(t, table, keys) {
      for (const key of Object.keys(t)) {
        if (!keys.includes(key)) {
          const near = suggest(key, keys);
          fail(table, key, `unknown key${near ? `: did you mean "${near}"?` : ""}`);
        }
      }
    },
    str,
    strs(t, table, key) {
      const v = t[key];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
        fail(table, key, "expected a list of strings");
      }
      return v as string[];
    },
    duration(t, table, key) {
      const v = str(t, table, key);
      if (v === undefined) return undefined;
      try {
        return parseDuration(v, key);
      } catch (error) {
        return fail(table, key, (error as Error).message);
      }
    },
    dialect(t, table, key) {
      const v = str(t, table, key);
      if (v !== undefined && !DIALECT_CHOICES.includes(v as DialectChoice)) {
        fail(table, key, `expected one of ${DIALECT_CHOICES.join(", ")}, got "${v}"`);
      }
      return v as DialectChoice | undefined;
    },
  };
}

class Reader {
  readonly text: string;
  readonly file: string;

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
  }

  fail(line: number, key: string, detail: string): never {
    throw new MidgramError(
      "config",
      `Invalid config "${this.file}" at line ${line}: ${key}: ${detail}`,
    );
  }

  at(table: string, key: string, detail: string): never {
    this.fail(lineOf(this.text, table, key), `${table}.${key}`, detail);
  }

  table(value: unknown, table: string, known: readonly string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(lineOf(this.text, table), table, "expected a table");
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        const near = suggest(key, known);
        this.at(
          table,
          key,
          `unknown key${near ? `: did you mean "${near}"?` : ` (known: ${known.join(", ")})`}`,
        );
      }
    }
    return value as Record<string, unknown>;
  }

  string(t: Record<string, unknown>, table: string, key: string): string | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") this.at(table, key, `expected a string, got ${JSON.stringify(v)}`);
    return v;
  }

  strings(t: Record<string, unknown>, table: string, key: string): string[] | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.at(table, key, "expected a list of strings");
    }
    return v as string[];
  }

  integer(t: Record<string, unknown>, table: string, key: string, min: number): number | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    const n = typeof v === "bigint" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
      this.at(
        table,
        key,
        `expected a whole number of at least ${min}, got ${JSON.stringify(String(v))}`,
      );
    }
    return n;
  }

  boolean(t: Record<string, unknown>, table: string, key: string): boolean | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") this.at(table, key, "expected true or false");
    return v;
  }

  duration(t: Record<string, unknown>, table: string, key: string): number | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    const text = typeof v === "number" || typeof v === "bigint" ? String(v) : v;
    if (typeof text !== "string") this.at(table, key, 'expected a duration such as "5s"');
    try {
      return parseDuration(text);
    } catch {
      this.at(table, key, `cannot parse duration "${text}"`);
    }
  }

  socket(text: string, table: string, key: string, dialect: DialectChoice): string {
    try {
      parseSocketSpec(text, dialect);
      return text;
    } catch (error) {
      this.at(table, key, (error as Error).message);
    }
  }

  choice<T extends string>(
    t: Record<string, unknown>,
    table: string,
    key: string,
    choices: readonly T[],
  ): T | undefined {
    const v = this.string(t, table, key);
    if (v !== undefined && !(choices as readonly string[]).includes(v)) {
      this.at(table, key, `expected one of ${choices.join(", ")}, got "${v}"`);
    }
    return v as T | undefined;
  }
}

/**
 * Parses and checks a configuration file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./parse_config.ts";
 * const config = parseConfig('[server]\nsockets = ["/run/midgram/midgram.sock"]\ntimeout = "2s"\n', "midgram.toml");
 * assert.equal(config.server.timeoutMs, 2000);
 * ```
 *
 * @throws {MidgramError} `config`, naming the file, the line and the key.
 */
export function parseConfig(text: string, file: string): Config {
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
      throw new MidgramError(
        "config",
        `Invalid config "${file}" at line ${error.line}:${error.column}: ${first}`,
      );
    }
    throw new MidgramError("config", `Invalid config "${file}": ${error}`);
  }
  const r = new Reader(text, file);
  for (const key of Object.keys(data)) {
    if (!TABLES.includes(key)) {
      const near = suggest(key, TABLES);
      r.fail(
        lineOf(text, key) || 1,
        key,
        `unknown table${near ? `: did you mean "${near}"?` : ""}`,
      );
    }
  }
  const config: Config = { server: { sockets: [] }, client: {}, commands: {} };
  // Tables read by their own modules: kept as written, with what their errors need.
  for (const name of ["exporter", "mcp"] as const) {
    const table = data[name];
    if (table === undefined) continue;
    if (typeof table !== "object" || table === null || Array.isArray(table)) {
      r.fail(lineOf(text, name), name, "expected a table");
    }
    config[name] = { table: table as Record<string, unknown>, text, file };
  }
  if (data.server !== undefined) {
    const t = r.table(data.server, "server", SERVER_KEYS);
    const s = config.server;
    s.dialect = r.choice(t, "server", "dialect", ["mi", "jsonrpc", "binrpc", "ctlfifo"] as const);
    s.flavour = r.choice(t, "server", "flavour", ["opensips", "kamailio"] as const);
    s.sockets = (r.strings(t, "server", "sockets") ?? []).map((a) =>
      r.socket(a, "server", "sockets", s.dialect ?? "mi")
    );
    const mode = r.string(t, "server", "mode");
    if (mode !== undefined) {
      if (!/^0?[0-7]{3}$/.test(mode)) {
        r.at("server", "mode", `expected an octal mode such as "0660", got "${mode}"`);
      }
      s.mode = parseInt(mode, 8);
    }
    const user = t.user;
    if (user !== undefined) {
      s.user = typeof user === "number" ? String(user) : r.string(t, "server", "user");
    }
    const group = t.group;
    if (group !== undefined) {
      s.group = typeof group === "number" ? String(group) : r.string(t, "server", "group");
    }
    s.replyIndent = r.string(t, "server", "reply_indent");
    s.timeoutMs = r.duration(t, "server", "timeout");
    s.handlerTimeoutMs = r.duration(t, "server", "handler_timeout");
    s.stopTimeoutMs = r.duration(t, "server", "stop_timeout");
    s.children = r.integer(t, "server", "children", 1);
    s.logLevel = r.choice(t, "server", "log_level", ["error", "warn", "info", "debug"] as const);
    s.logFormat = r.choice(t, "server", "log_format", ["text", "json"] as const);
    s.allow = r.strings(t, "server", "allow");
    s.disable = r.strings(t, "server", "disable");
    s.autoconversion = r.boolean(t, "server", "autoconversion");
    s.idleTimeoutMs = r.duration(t, "server", "idle_timeout");
    s.maxConnections = r.integer(t, "server", "max_connections", 1);
    for (const [k, v] of Object.entries(s)) {
      if (v === undefined) delete (s as unknown as Record<string, unknown>)[k];
    }
  }
  if (data.client !== undefined) {
    const t = r.table(data.client, "client", CLIENT_KEYS);
    const dialect = r.choice(
      t,
      "client",
      "dialect",
      ["mi", "jsonrpc", "binrpc", "ctlfifo", "auto"] as const,
    );
    if (dialect !== undefined) config.client.dialect = dialect;
    const flavour = r.choice(t, "client", "flavour", ["opensips", "kamailio"] as const);
    if (flavour !== undefined) config.client.flavour = flavour;
    const socket = r.string(t, "client", "socket");
    if (socket !== undefined) {
      config.client.socket = r.socket(socket, "client", "socket", dialect ?? "auto");
    }
    const timeout = r.duration(t, "client", "timeout");
    if (timeout !== undefined) config.client.timeoutMs = timeout;
    const retries = r.integer(t, "client", "retries", 0);
    if (retries !== undefined) config.client.retries = retries;
  }
  if (data.commands !== undefined) {
    const commands = r.table(data.commands, "commands", Object.keys(data.commands as object));
    for (const [name, value] of Object.entries(commands)) {
      const table = `commands.${name}`;
      if (/[\s:]/.test(name) || [...name].some((c) => c < " " || c === "\x7f")) {
        r.fail(lineOf(text, table), table, "a command name cannot hold white space or ':'");
      }
      const t = r.table(value, table, COMMAND_KEYS);
      const exec = r.strings(t, table, "exec") ?? [];
      if (exec.length === 0 || exec[0] === "") {
        r.fail(
          lineOf(text, table),
          `${table}.exec`,
          "missing: the program to run and its arguments, as a list",
        );
      }
      config.commands[name] = {
        exec,
        timeoutMs: r.duration(t, table, "timeout") ?? 10_000,
        maxOutput: r.integer(t, table, "max_output", 1) ?? 65_000,
        noInput: r.boolean(t, table, "no_input") ?? false,
        help: r.string(t, table, "help") ?? `runs ${exec[0]}`,
      };
    }
  }
  return config;
}
