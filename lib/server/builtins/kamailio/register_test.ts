import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { DialectName } from "../../../protocol/dialect.ts";
import {
  Double,
  isStruct,
  Members,
  type Params,
  structEntries,
  type Value,
} from "../../../protocol/value.ts";
import { CommandRegistry } from "../../registry.ts";
import { RpcError } from "../../rpc_error.ts";
import type { HandlerContext, HandlerResult } from "../../types.ts";
import { CacheStore } from "../cache_store.ts";
import type { BuiltinHost } from "../host.ts";
import { ctime } from "../_ctime.ts";
import { KAMAILIO_BUILTINS, registerKamailioBuiltins } from "./register.ts";

const TESTDATA = new URL("../../../../testdata/builtins/kamailio/", import.meta.url);
const STARTED = new Date(2026, 10, 24, 10, 6, 55);
const NOW = new Date(STARTED.getTime() + 191_000);

/** A captured jsonrpcs reply's `result` or `error`. */
function captured(name: string): { result?: unknown; error?: { code: number; message: string } } {
  return JSON.parse(readFileSync(new URL(`jsonrpc/${name}.json`, TESTDATA), "utf8"));
}

/** The params of a captured request. */
function capturedParams(name: string): Params {
  const request = JSON.parse(
    readFileSync(new URL(`jsonrpc/${name}.request.json`, TESTDATA), "utf8"),
  );
  return { kind: "positional", values: request.params ?? [] };
}

/** The member names of a captured reply's result struct, in order, duplicates kept. */
function capturedMemberNames(name: string): string[] {
  const text = readFileSync(new URL(`jsonrpc/${name}.json`, TESTDATA), "utf8");
  return [...text.matchAll(/^\t\t"([^"]+)":\t/gm)].map((m) => m[1]);
}

/** The real server's counters, from `stats.fetchn all`. */
function realCounters(): Record<string, number> {
  const all = captured("stats.fetchn-all").result as Record<string, number>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.replace(".", ":"), v]));
}

interface Fake {
  registry: CommandRegistry;
  counters: Record<string, number>;
  kills: () => number;
}

function fake(counters: Record<string, number> = realCounters(), disable?: string[]): Fake {
  let kills = 0;
  const host: BuiltinHost = {
    host: {
      pid: 9594,
      cwd: () => "/tmp/peer-builtins",
      argv: ["midgram", "serve"],
      runtime: "node 20.20.2",
      now: () => NOW,
      onKill: () => kills++,
    },
    startedAt: STARTED,
    version: "midgram 0.2.0 (node 20.20.2)",
    stats: () => ({ ...counters }),
    resetStats: (names) => {
      const reset = names ?? Object.keys(counters);
      for (const name of reset) counters[name] = 0;
      return reset;
    },
    cache: new CacheStore(() => NOW.getTime()),
  };
  const registry = new CommandRegistry();
  registerKamailioBuiltins(registry, host, { disable });
  return { registry, counters, kills: () => kills };
}

async function call(
  f: Fake,
  method: string,
  params: Params,
  dialect: DialectName = "jsonrpc",
  afterReply: (() => void)[] = [],
): Promise<HandlerResult> {
  const command = f.registry.get(method);
  assert.ok(command, `no command ${method}`);
  const ctx: HandlerContext = {
    method,
    dialect,
    flavour: "kamailio",
    args: [],
    from: null,
    signal: new AbortController().signal,
    commands: () => [...f.registry.names(), "a.user_cmd"],
    help: (name) => name === "a.user_cmd" ? "" : f.registry.get(name)?.help,
    afterReply: (action) => afterReply.push(action),
  };
  return await command.handler(params, ctx);
}

const pos = (...values: Value[]): Params => ({ kind: "positional", values });

async function rejects(
  f: Fake,
  method: string,
  params: Params,
  dialect: DialectName,
  error: { code: number; message: string },
): Promise<void> {
  await assert.rejects(call(f, method, params, dialect), (e: unknown) => {
    assert.ok(e instanceof RpcError, String(e));
    assert.deepEqual({ code: e.replyCode, message: e.message }, error);
    return true;
  });
}

/** A neutral result as jsonrpcs writes it (a struct with repeated names keeps the last). */
function asJson(value: HandlerResult): unknown {
  if (value === undefined) return {};
  // As jsonrpcs writes an object (a repeated name is written twice; JSON.parse keeps the last).
  const plain = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(plain)
      : isStruct(v)
      ? Object.fromEntries(structEntries(v).map(([k, x]) => [k, plain(x)]))
      : v;
  return JSON.parse(JSON.stringify(plain(value)));
}

test("registerKamailioBuiltins() registers Kamailio's method names, none disabled", () => {
  assert.deepEqual(fake().registry.names(), [...KAMAILIO_BUILTINS]);
  const f = fake(undefined, ["core.kill", "stats.fetchn"]);
  assert.equal(f.registry.get("core.kill"), undefined);
  assert.equal(f.registry.get("stats.fetchn"), undefined);
  assert.throws(() => fake(undefined, ["kill"]), {
    code: "usage",
    message: 'Unknown Kamailio built-in "kill" to disable',
  });
});

test("core.uptime answers a struct of ctime texts and whole seconds", async () => {
  const f = fake();
  const got = await call(f, "core.uptime", pos());
  assert.deepEqual(got, { now: ctime(NOW), up_since: ctime(STARTED), uptime: 191 });
  const real = captured("core.uptime").result as Record<string, unknown>;
  assert.deepEqual(Object.keys(got as object), Object.keys(real));
  assert.match(real.now as string, /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
  assert.equal(typeof real.uptime, "number");
});

test("core.version answers the version string; core.pwd and core.arg arrays", async () => {
  const f = fake();
  assert.equal(await call(f, "core.version", pos("ignored")), "midgram 0.2.0 (node 20.20.2)");
  assert.equal(typeof captured("core.version").result, "string");
  assert.deepEqual(await call(f, "core.pwd", pos()), captured("core.pwd").result);
  assert.deepEqual(await call(f, "core.arg", pos()), ["midgram", "serve"]);
});

test("core.ps answers pid and description as flat values; core.psx one struct each", async () => {
  const f = fake();
  const ps = await call(f, "core.ps", pos());
  assert.deepEqual(ps, [9594, "midgram"]);
  const real = captured("core.ps").result as unknown[];
  assert.deepEqual(real.slice(0, 2).map((v) => typeof v), ["number", "string"]);
  const psx = await call(f, "core.psx", pos());
  assert.deepEqual(psx, [{ IDX: 0, PID: 9594, DSC: "midgram" }]);
  const realPsx = captured("core.psx").result as Record<string, unknown>[];
  assert.deepEqual(Object.keys(realPsx[0]), Object.keys((psx as Record<string, Value>[])[0]));
  assert.deepEqual(realPsx[0].PID, real[0]);
});

test("core.echo answers its parameters as strings, as jsonrpcs converts them", async () => {
  const f = fake();
  assert.deepEqual(
    await call(f, "core.echo", capturedParams("core.echo")),
    captured("core.echo").result,
  );
  assert.deepEqual(asJson(await call(f, "core.echo", pos())), captured("core.echo-none").result);
  assert.deepEqual(await call(f, "core.echo", pos(-1e300, 9.3e18, 1.8e19, new Double(3))), [
    "9223372036854775808",
    "9300000000000000000",
    "18000000000000000000",
    "3",
  ]);
  const named: Params = { kind: "named", values: new Members([["x", 1], ["y", "b"]]) };
  assert.deepEqual(await call(f, "core.echo", named), ["1", "b"]);
});

test("core.echo over binrpc converts integers and stops at a double, a fault only first", async () => {
  const f = fake();
  assert.deepEqual(await call(f, "core.echo", pos("a", 7, -5, "x"), "binrpc"), [
    "a",
    "7",
    "18446744073709551611",
    "x",
  ]);
  assert.deepEqual(await call(f, "core.echo", pos("x", new Double(2.5), "y"), "binrpc"), ["x"]);
  assert.deepEqual(await call(f, "core.echo", pos(), "binrpc"), []);
  const fault = {
    code: 400,
    message: "error at parameter 0: expected float type but bug -- internal error",
  };
  await rejects(f, "core.echo", pos(2.5, "a"), "binrpc", fault);
  const kamcmd = readFileSync(new URL("kamcmd/core.echo-double.txt", TESTDATA), "utf8");
  assert.ok(kamcmd.includes(`error: ${fault.code} - ${fault.message}`));
});

test("system.listMethods, system.methodHelp and system.methodSignature answer as Kamailio", async () => {
  const f = fake();
  const methods = await call(f, "system.listMethods", pos()) as string[];
  assert.deepEqual(methods, [...KAMAILIO_BUILTINS, "a.user_cmd"].sort());
  assert.equal(methods[0], "a.user_cmd");
  assert.equal(
    await call(f, "system.methodHelp", capturedParams("system.methodHelp")),
    captured("system.methodHelp").result,
  );
  assert.equal(await call(f, "system.methodHelp", pos("a.user_cmd")), "undocumented");
  for (const name of ["system.methodHelp-missing", "system.methodHelp-unknown"]) {
    await rejects(f, "system.methodHelp", capturedParams(name), "jsonrpc", captured(name).error!);
  }
  await rejects(f, "system.methodHelp", pos(5), "binrpc", {
    code: 400,
    message: "Method Name Expected",
  });
  await rejects(
    f,
    "system.methodSignature",
    capturedParams("system.methodSignature"),
    "jsonrpc",
    captured("system.methodSignature").error!,
  );
});

test("stats.get_statistics answers group:name = value lines as the real server", async () => {
  const f = fake();
  for (const name of ["stats.get_statistics", "stats.get_statistics-none"]) {
    assert.deepEqual(
      await call(f, "stats.get_statistics", capturedParams(name)),
      captured(name).result,
    );
  }
  await rejects(
    f,
    "stats.get_statistics",
    capturedParams("stats.get_statistics-number"),
    "jsonrpc",
    captured("stats.get_statistics-number").error!,
  );
  await rejects(f, "stats.get_statistics", pos(), "binrpc", {
    code: 400,
    message: "Please provide which stats to retrieve",
  });
  const lines = await call(f, "stats.get_statistics", pos("all")) as string[];
  assert.equal(lines.length, Object.keys(f.counters).length);
  assert.equal(lines[0], "core:bad_URIs_rcvd = 0");
});

test("stats.fetch and stats.fetchn answer a struct of group.name members", async () => {
  const f = fake();
  const fetched = await call(f, "stats.fetch", capturedParams("stats.fetch")) as Members;
  assert.ok(isStruct(fetched));
  // The real reply repeats a member asked for twice.
  assert.deepEqual(fetched.entries.map(([n]) => n), capturedMemberNames("stats.fetch"));
  assert.deepEqual(asJson(fetched), captured("stats.fetch").result);
  const numeric = await call(f, "stats.fetchn", capturedParams("stats.fetchn")) as Members;
  assert.ok(numeric.entries.every(([, v]) => v instanceof Double));
  assert.deepEqual(asJson(numeric), captured("stats.fetchn").result);
  assert.deepEqual(
    asJson(await call(f, "stats.fetchn", pos("all"))),
    captured("stats.fetchn-all").result,
  );
  assert.deepEqual(
    asJson(await call(f, "stats.fetch", capturedParams("stats.fetch-none"))),
    captured("stats.fetch-none").result,
  );
  assert.deepEqual(
    await call(f, "stats.fetch", pos("core:nope", "dns.rcv_requests")),
    new Members([]),
  );
});

test("stats.reset_statistics resets silently; stats.clear_statistics tells the values", async () => {
  const counters = { "core:rcv_requests": 5, "core:rcv_replies": 2, "dns:failed_dns_request": 0 };
  const f = fake(counters);
  assert.equal(await call(f, "stats.reset_statistics", pos("rcv_requests")), undefined);
  assert.deepEqual(asJson(undefined), captured("stats.reset_statistics").result);
  assert.equal(f.counters["core:rcv_requests"], 0);
  await rejects(
    f,
    "stats.reset_statistics",
    capturedParams("stats.reset_statistics-missing"),
    "jsonrpc",
    captured("stats.reset_statistics-missing").error!,
  );
  f.counters["core:rcv_requests"] = 9;
  assert.deepEqual(await call(f, "stats.clear_statistics", pos("core:", "dns:"), "binrpc"), [
    "core:rcv_replies = 0 (2)",
    "core:rcv_requests = 0 (9)",
    "dns:failed_dns_request = 0",
  ]);
  // Not a RET_ARRAY method: jsonrpcs keeps only the last value.
  assert.equal(await call(f, "stats.clear_statistics", pos("dns:")), "dns:failed_dns_request = 0");
  assert.equal(
    await call(fake(), "stats.clear_statistics", capturedParams("stats.clear_statistics")),
    captured("stats.clear_statistics").result,
  );
});

test("core.kill answers nothing and stops the host after the reply, unless given signal 0", async () => {
  const f = fake();
  const after: (() => void)[] = [];
  assert.equal(await call(f, "core.kill", pos(), "binrpc", after), undefined);
  assert.equal(f.kills(), 0);
  after.forEach((action) => action());
  assert.equal(f.kills(), 1);
  const probe: (() => void)[] = [];
  await call(f, "core.kill", pos(0), "jsonrpc", probe);
  // jsonrpcs reads a string where an integer is wanted as 0 (seen on the real server).
  await call(f, "core.kill", pos("x"), "jsonrpc", probe);
  assert.equal(probe.length, 0);
  // ctl cannot read it and keeps the default SIGTERM.
  await call(f, "core.kill", pos("x"), "binrpc", probe);
  await call(f, "core.kill", pos(9.5), "jsonrpc", probe);
  assert.equal(probe.length, 2);
});

test("_strtol() reads an integer parameter of ctl's FIFO protocol as C's strtol(s, 0, 0) and (int)", async () => {
  const { _strtol } = await import("./_scan.ts");
  const cases: [string, number][] = [
    ["15", 15],
    ["  -7x", -7],
    ["0x1f", 31],
    ["010", 8],
    ["08", 0],
    ["abc", 0],
    ["+3", 3],
    ["4294967297", 1],
    ["99999999999999999999", -1],
  ];
  for (const [text, want] of cases) assert.equal(_strtol(text), want, text);
});
