/**
 * Golden server cases of the structured dialects, played through the whole
 * server pipeline (decode → dispatch → encode) of an in-process
 * `createServer({builtins: false})` that serves the few methods the cases
 * call, as the fake registries of the codec tests answer them:
 *
 * * JSON-RPC, `testdata/jsonrpc/<flavour>/NAME.json` beside `NAME.reply` (the
 *   exact reply bytes) or an empty `NAME.noreply`;
 * * binrpc, `testdata/binrpc/server/NAME.req.hex` beside `NAME.reply.hex`
 *   (readable hex; empty for no reply).
 *
 * @module
 */
import { createServer, type MiServer } from "../server/server.ts";
import { RpcError } from "../server/rpc_error.ts";
import type { Transport } from "../transport/types.ts";
import { createMemoryTransport } from "../transport/open.ts";
import { lineDiff, showInvisible } from "../golden/parse_cases.ts";
import type { Value } from "../protocol/value.ts";
import { GOLDEN_NOW } from "./golden.ts";

/** A dialect of the structured golden cases. */
export type RpcGoldenKind =
  | { dialect: "jsonrpc"; flavour: "opensips" | "kamailio" }
  | { dialect: "binrpc" };

const isInt = (v: Value | undefined) => typeof v === "number" && Number.isInteger(v);
const typeError = (n: number, expected: string) =>
  new RpcError(
    400,
    `error at parameter ${n}: expected ${expected} type but record doesn't match type`,
  );

/**
 * The in-process server of the structured golden cases: no built-ins, only
 * the methods the cases call (OpenSIPS `version`, `cache_store`,
 * `cache_fetch`, `ps`; Kamailio `core.echo`, `core.version`, `core.printi`,
 * `core.prints`, `cfg.seti`, `system.methodHelp`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goldenRpcServer } from "./golden_rpc.ts";
 * const server = goldenRpcServer();
 * const reply = await server.handle(
 *   new TextEncoder().encode('{"jsonrpc":"2.0","method":"version","id":1}'),
 *   null,
 *   { dialect: "jsonrpc", flavour: "opensips" },
 * );
 * const json = JSON.parse(new TextDecoder().decode(reply!));
 * assert.equal(json.id, 1);
 * assert.equal(typeof json.result.Server, "string");
 * await server.close();
 * ```
 */
export function goldenRpcServer(transport: Transport = createMemoryTransport()): MiServer {
  const server = createServer({
    transport,
    builtins: false,
    host: { pid: 4242, cwd: () => "/srv", argv: ["midgram", "serve"], now: () => GOLDEN_NOW },
    version: "midgram golden",
  });
  server.register("version", () => ({ Server: "OpenSIPS (3.6.8 (x86_64/linux))" }), {
    recipes: [[]],
  });
  server.register("cache_store", () => "OK", {
    recipes: [["system", "attr", "value"], ["system", "attr", "value", "expire"]],
  });
  server.register("cache_fetch", () => {
    throw new RpcError(400, "Value not found");
  }, { recipes: [["system", "attr"]] });
  server.register("ps", () => ({
    Processes: Array.from({ length: 2000 }, (_, i) => ({
      ID: i,
      PID: 10000 + i,
      Type: "SIP receiver udp:127.0.0.1:5060",
    })),
  }), { recipes: [[]] });
  server.register("core.echo", (params, context) => {
    const values = params.kind === "positional" ? [...params.values] : [];
    if (context.dialect !== "binrpc") return values;
    // ctl's core.echo reads every parameter as a string ("*s"): bytes are refused, the rest kept.
    if (values.some((p) => p instanceof Uint8Array)) throw typeError(0, "bytes array");
    return values.filter((p) => typeof p === "string");
  });
  server.register("core.version", () => "kamailio 5.6.3 (x86_64/linux) ");
  const positional = (params: Parameters<Parameters<MiServer["register"]>[1]>[0]) =>
    params.kind === "positional" ? params.values : [];
  server.register("core.printi", (params) => {
    const [i] = positional(params);
    if (i === undefined) return null;
    if (isInt(i)) return i;
    throw typeError(0, "integer");
  });
  server.register("core.prints", (params) => {
    const [s] = positional(params);
    if (s === undefined) return null;
    if (typeof s === "string") return s;
    throw typeError(0, "string");
  });
  server.register("cfg.seti", (params) => {
    const values = positional(params);
    for (let n = 0; n < 2; n++) if (typeof values[n] !== "string") throw typeError(n, "string");
    if (typeof values[2] !== "number") throw typeError(2, "integer");
    return null;
  });
  server.register("system.methodHelp", (params, context) => {
    const [m] = positional(params);
    if (typeof m === "string" && context.commands().includes(m)) return "";
    throw new RpcError(400, "command not found");
  });
  return server;
}

/** Readable hex: 16 pairs a line (the format of `testdata/binrpc`, without comments). */
export function formatHex(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(
      [...bytes.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, "0")).join(" "),
    );
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

/**
 * Plays one structured case; `expected` null means no reply. Returns the
 * actual reply (null for none) and a diff when they differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareRpcCase, goldenRpcServer } from "./golden_rpc.ts";
 * const server = goldenRpcServer();
 * const r = await compareRpcCase(server, { dialect: "jsonrpc", flavour: "kamailio" }, new Uint8Array(), null);
 * assert.equal(r.ok, true); // an empty datagram gets no reply
 * await server.close();
 * ```
 */
export async function compareRpcCase(
  server: MiServer,
  kind: RpcGoldenKind,
  request: Uint8Array,
  expected: Uint8Array | null,
): Promise<{ ok: boolean; actual: Uint8Array | null; diff: string }> {
  const actual = await server.handle(request, null, {
    dialect: kind.dialect,
    flavour: kind.dialect === "jsonrpc" ? kind.flavour : undefined,
  });
  const show = (b: Uint8Array | null) =>
    b === null || b.length === 0
      ? "(no reply)"
      : kind.dialect === "binrpc"
      ? formatHex(b)
      : showInvisible(new TextDecoder().decode(b));
  // binrpc writes "no reply" as an empty .reply.hex.
  const norm = (b: Uint8Array | null) => (b !== null && b.length === 0 ? null : b);
  const a = show(norm(expected));
  const b = show(norm(actual));
  const ok = a === b;
  return { ok, actual: norm(actual), diff: ok ? "" : lineDiff(a, b) };
}
