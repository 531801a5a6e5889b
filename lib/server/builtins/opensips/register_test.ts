import { test } from "node:test";
import assert from "node:assert/strict";
import { Members, type Params, type Value } from "../../../protocol/value.ts";
import { CommandRegistry } from "../../registry.ts";
import { RpcError } from "../../rpc_error.ts";
import type { HandlerContext, HandlerResult } from "../../types.ts";
import { CacheStore } from "../cache_store.ts";
import type { BuiltinHost } from "../host.ts";
import { ctime } from "../_ctime.ts";
import { OPENSIPS_BUILTINS, registerOpenSipsBuiltins } from "./register.ts";

const STARTED = new Date(2026, 10, 2, 9, 5, 7);
const NOW = new Date(STARTED.getTime() + 90_500);

interface Fake {
  registry: CommandRegistry;
  host: BuiltinHost;
  counters: Record<string, number>;
  kills: number;
  levels: number[];
  cache: CacheStore;
}

function fake(options: { disable?: string[]; maxEntries?: number } = {}): Fake {
  const counters: Record<string, number> = {
    "core:rcv_requests": 7,
    "core:rcv_replies": 3,
    "shmem:total_size": 33554432,
    "midgram:requests": 12,
    "core:drop_requests": 1,
  };
  const state = { kills: 0, level: 3, levels: [] as number[] };
  const cache = new CacheStore(() => NOW.getTime(), { maxEntries: options.maxEntries });
  const host: BuiltinHost = {
    host: {
      pid: 4242,
      cwd: () => "/srv/midgram",
      argv: ["midgram", "serve", "-c", "midgram.toml"],
      runtime: "node 20.20.2",
      now: () => NOW,
      onKill: () => state.kills++,
      onLogLevel: (level) => {
        state.level = level;
        state.levels.push(level);
      },
      logLevel: () => state.level,
    },
    startedAt: STARTED,
    version: "midgram 0.2.0 (node 20.20.2)",
    stats: () => ({ ...counters }),
    resetStats: (names) => {
      const reset = names ?? Object.keys(counters);
      for (const name of reset) counters[name] = 0;
      return reset;
    },
    cache,
  };
  const registry = new CommandRegistry();
  registerOpenSipsBuiltins(registry, host, { disable: options.disable });
  return {
    registry,
    host,
    counters,
    cache,
    get kills() {
      return state.kills;
    },
    levels: state.levels,
  };
}

interface Called {
  result: HandlerResult;
  afterReply: (() => void)[];
}

async function call(f: Fake, method: string, params: Params): Promise<Called> {
  const command = f.registry.get(method);
  assert.ok(command, `no command ${method}`);
  const afterReply: (() => void)[] = [];
  const ctx: HandlerContext = {
    method,
    dialect: "jsonrpc",
    flavour: "opensips",
    args: [],
    from: null,
    signal: new AbortController().signal,
    commands: () => [...f.registry.names(), "user_cmd"],
    help: (name) => name === "user_cmd" ? "" : f.registry.get(name)?.help,
    afterReply: (action) => afterReply.push(action),
  };
  return { result: await command.handler(params, ctx), afterReply };
}

const pos = (...values: Value[]): Params => ({ kind: "positional", values });
const named = (entries: [string, Value][]): Params => ({
  kind: "named",
  values: new Members(entries),
});

async function result(f: Fake, method: string, params: Params = pos()): Promise<HandlerResult> {
  return (await call(f, method, params)).result;
}

async function rejects(
  f: Fake,
  method: string,
  params: Params,
  code: number,
  message: string,
  data?: Value,
): Promise<void> {
  await assert.rejects(call(f, method, params), (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.deepEqual([error.replyCode, error.message, error.data], [code, message, data]);
    return true;
  });
}

const badParams = (detail: string): [number, string, string] => [-32602, "Invalid params", detail];

test("registerOpenSipsBuiltins() declares each command's recipes as OpenSIPS 3.6 does", () => {
  const f = fake();
  const recipes = Object.fromEntries(
    f.registry.names().map((name) => [name, f.registry.get(name)?.recipes]),
  );
  assert.deepEqual(recipes, {
    uptime: [[]],
    version: [[], ["revision"]],
    pwd: [[]],
    arg: [[]],
    which: [[], ["command"]],
    ps: [[]],
    kill: [[]],
    log_level: [[], ["level"], ["level", "pid"]],
    help: [[], ["mi_cmd"]],
    cache_store: [["system", "attr", "value"], ["system", "attr", "value", "expire"]],
    cache_fetch: [["system", "attr"]],
    cache_remove: [["system", "attr"]],
    get_statistics: [["statistics"]],
    list_statistics: [[], ["statistics"]],
    reset_statistics: [["statistics"]],
    reset_all_statistics: [[]],
  });
  assert.deepEqual(f.registry.names(), [...OPENSIPS_BUILTINS]);
});

test("registerOpenSipsBuiltins() leaves out disabled commands and refuses unknown names", () => {
  const f = fake({ disable: ["kill", "cache_store"] });
  assert.equal(f.registry.get("kill"), undefined);
  assert.equal(f.registry.get("cache_store"), undefined);
  assert.ok(f.registry.get("cache_fetch"));
  assert.throws(
    () => registerOpenSipsBuiltins(new CommandRegistry(), fake().host, { disable: ["nope"] }),
    { code: "usage", message: 'Unknown OpenSIPS built-in "nope" to disable' },
  );
});

test("version, uptime, pwd, arg and ps answer in OpenSIPS's layout", async () => {
  const f = fake();
  assert.deepEqual(await result(f, "version"), { Server: "midgram 0.2.0 (node 20.20.2)" });
  assert.deepEqual(await result(f, "version", pos("x")), {
    Server: "midgram 0.2.0 (node 20.20.2)",
    "": "",
  });
  assert.deepEqual(await result(f, "uptime"), {
    Now: ctime(NOW),
    "Up since": ctime(STARTED),
    "Up time": "90 [sec]",
  });
  assert.deepEqual(Object.keys((await result(f, "uptime")) as object), [
    "Now",
    "Up since",
    "Up time",
  ]);
  assert.deepEqual(await result(f, "pwd"), { WD: "/srv/midgram" });
  assert.deepEqual(await result(f, "arg"), ["midgram", "serve", "-c", "midgram.toml"]);
  assert.deepEqual(await result(f, "ps"), {
    Processes: [{ ID: 0, PID: 4242, Type: "midgram" }],
  });
});

test("which lists the commands, or one command's recipes", async () => {
  const f = fake();
  assert.deepEqual(await result(f, "which"), [...OPENSIPS_BUILTINS, "user_cmd"]);
  assert.deepEqual(await result(f, "which", pos("log_level")), [[], ["level"], ["level", "pid"]]);
  assert.deepEqual(await result(f, "which", named([["command", "cache_fetch"]])), [[
    "system",
    "attr",
  ]]);
  await rejects(f, "which", pos("nope"), 404, "unknown MI command");
  await rejects(f, "which", pos(true), ...badParams("Bad type for parameter 'command'"));
});

test("help answers its usage, a command's help and module, or 404", async () => {
  const f = fake();
  assert.equal(
    await result(f, "help"),
    "Usage: help mi_cmd - returns information about 'mi_cmd'",
  );
  assert.deepEqual(await result(f, "help", pos("get_statistics")), {
    Help: f.registry.get("get_statistics")?.help,
    "Exported by": "statistics",
  });
  assert.deepEqual(await result(f, "help", named([["mi_cmd", "uptime"]])), {
    Help: f.registry.get("uptime")?.help,
    "Exported by": "core",
  });
  assert.deepEqual(await result(f, "help", pos("user_cmd")), {
    Help: "not available for this command",
  });
  await rejects(f, "help", pos("nope"), 404, "unknown MI command");
  await rejects(f, "help", pos(null), ...badParams("Bad type for parameter 'mi_cmd'"));
});

test("kill answers OK and stops the host only after the reply", async () => {
  const f = fake();
  const { result: answer, afterReply } = await call(f, "kill", pos());
  assert.equal(answer, "OK");
  assert.equal(f.kills, 0);
  assert.equal(afterReply.length, 1);
  afterReply[0]();
  assert.equal(f.kills, 1);
});

test("log_level gets the levels and sets the global or the process level", async () => {
  const f = fake();
  assert.deepEqual(await result(f, "log_level"), {
    Processes: [{ PID: 4242, "Log level": 3, Type: "midgram" }],
  });
  assert.deepEqual(await result(f, "log_level", pos(4)), { "New global log level": 4 });
  assert.deepEqual(await result(f, "log_level", pos("-1")), { "New global log level": -1 });
  assert.deepEqual(await result(f, "log_level", named([["level", 2], ["pid", 4242]])), {
    "Log level": 2,
  });
  assert.deepEqual(await result(f, "log_level", pos(5, "0")), { "New global log level": 5 });
  assert.deepEqual(f.levels, [4, -1, 2, 5]);
  assert.deepEqual(await result(f, "log_level"), {
    Processes: [{ PID: 4242, "Log level": 5, Type: "midgram" }],
  });
  await rejects(f, "log_level", pos(2, 1), ...badParams("Bad PID"));
  await rejects(f, "log_level", pos("x"), ...badParams("Bad type for parameter 'level'"));
  await rejects(f, "log_level", pos([1]), ...badParams("Bad type for parameter 'level'"));
  // The pid is read before the level.
  await rejects(f, "log_level", pos("x", "y"), ...badParams("Bad type for parameter 'pid'"));
  assert.deepEqual(f.levels, [4, -1, 2, 5]);
});

test("cache_store, cache_fetch and cache_remove answer as OpenSIPS 3.6", async () => {
  const f = fake();
  assert.equal(await result(f, "cache_store", pos("local", "a", "1")), "OK");
  assert.deepEqual(await result(f, "cache_fetch", pos("local", "a")), { key: "a", value: "1" });
  assert.equal(
    await result(
      f,
      "cache_store",
      named([["system", "local"], ["attr", 5], ["value", 6], [
        "expire",
        "10",
      ]]),
    ),
    "OK",
  );
  assert.deepEqual(await result(f, "cache_fetch", pos("local", 5)), { key: "5", value: "6" });
  assert.equal(f.cache.size, 2);
  assert.equal(await result(f, "cache_remove", pos("local", "a")), "OK");
  assert.equal(await result(f, "cache_remove", pos("local", "a")), "OK");
  await rejects(f, "cache_fetch", pos("local", "a"), 400, "Value not found");
});

test("cache_* refuse empty, badly typed and negative parameters as OpenSIPS does", async () => {
  const f = fake();
  await rejects(f, "cache_store", pos("", "a", "1"), ...badParams("Empty memory cache id"));
  await rejects(f, "cache_store", pos("local", "", "1"), ...badParams("Empty attribute name"));
  await rejects(f, "cache_store", pos("local", "a", ""), ...badParams("Empty value"));
  await rejects(
    f,
    "cache_store",
    pos("local", "a", "1", -1),
    ...badParams("Negative expire value"),
  );
  await rejects(
    f,
    "cache_store",
    pos("", "a", "1", "soon"),
    ...badParams("Bad type for parameter 'expire'"),
  );
  await rejects(
    f,
    "cache_store",
    pos(true, "a", "1"),
    ...badParams("Bad type for parameter 'system'"),
  );
  await rejects(f, "cache_fetch", pos("local", ""), ...badParams("Empty attribute name"));
  await rejects(f, "cache_remove", pos("", "a"), ...badParams("Empty memory cache id"));
  await rejects(f, "cache_remove", pos("local", {}), ...badParams("Bad type for parameter 'attr'"));
});

test("cache_store answers a store the full cache refuses as a failed store", async () => {
  const f = fake({ maxEntries: 1 });
  assert.equal(await result(f, "cache_store", pos("local", "a", "1")), "OK");
  await rejects(f, "cache_store", pos("local", "b", "2"), 500, "Cache store command failed");
  assert.equal(await result(f, "cache_store", pos("local", "a", "3")), "OK");
});

test("get_statistics takes all, groups and bare counter names, in module order", async () => {
  const f = fake();
  assert.deepEqual(
    await result(f, "get_statistics", named([["statistics", ["all"]]])),
    new Members([
      ["core:rcv_requests", 7],
      ["core:rcv_replies", 3],
      ["core:drop_requests", 1],
      ["shmem:total_size", 33554432],
      ["midgram:requests", 12],
    ]),
  );
  assert.deepEqual(
    await result(f, "get_statistics", pos(["SHMEM:", "rcv_replies", "core:rcv_requests", "nope"])),
    new Members([["shmem:total_size", 33554432], ["core:rcv_replies", 3]]),
  );
  // A selector given twice gives its members twice, as OpenSIPS's JSON does.
  assert.deepEqual(
    await result(f, "get_statistics", pos(["Requests", "requests"])),
    new Members([["midgram:requests", 12], ["midgram:requests", 12]]),
  );
  await rejects(
    f,
    "get_statistics",
    pos(["nope", "core:rcv_requests"]),
    404,
    "Statistics Not Found",
  );
  await rejects(
    f,
    "get_statistics",
    pos("all"),
    ...badParams("Bad type for parameter 'statistics'"),
  );
  await rejects(
    f,
    "get_statistics",
    pos([]),
    ...badParams("Empty array in parameter 'statistics'"),
  );
  await rejects(
    f,
    "get_statistics",
    pos(["all", null]),
    ...badParams("Bad type for array item in parameter 'statistics'"),
  );
});

test("list_statistics lists every counter, a group, or bare names", async () => {
  const f = fake();
  assert.deepEqual(
    await result(f, "list_statistics"),
    new Members([
      ["core:rcv_requests", "incremental"],
      ["core:rcv_replies", "incremental"],
      ["core:drop_requests", "incremental"],
      ["shmem:total_size", "incremental"],
      ["midgram:requests", "incremental"],
    ]),
  );
  assert.deepEqual(
    await result(f, "list_statistics", pos(["midgram:", "rcv_replies"])),
    new Members([["midgram:requests", "incremental"], ["rcv_replies", "incremental"]]),
  );
  await rejects(f, "list_statistics", pos(["all"]), 404, "Statistics Not Found");
});

test("reset_statistics resets counters by bare name; reset_all_statistics all", async () => {
  const f = fake();
  assert.equal(await result(f, "reset_statistics", pos(["rcv_requests", "nope"])), "OK");
  assert.equal(f.counters["core:rcv_requests"], 0);
  assert.equal(f.counters["core:rcv_replies"], 3);
  await rejects(f, "reset_statistics", pos(["core:", "all"]), 404, "Statistics Not Found");
  assert.equal(await result(f, "reset_all_statistics"), "OK");
  assert.deepEqual(Object.values(f.counters), [0, 0, 0, 0, 0]);
});
