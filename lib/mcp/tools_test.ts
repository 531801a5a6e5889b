import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../server/server.ts";
import { parseSocketSpec } from "../socket_spec.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import type { Transport } from "../transport/types.ts";
import { accessOf, decideAccess } from "./access.ts";
import { type AuditEntry, createMcpTools, type McpToolsOptions } from "./tools.ts";

/** Stand-ins for OpenSIPS 3 (JSON-RPC) and Kamailio (binrpc) on one in-memory network. */
async function standIns() {
  const transport = createMemoryTransport();
  const server = createServer({ transport, version: "stand-in 1.0" });
  await server.listen("unix:/run/opensips/mi.sock", { dialect: "jsonrpc" });
  await server.listen("udp:127.0.0.1:2049", { dialect: "binrpc" });
  // A socket that takes requests and never answers: a stopped server's stand-in.
  const silent = await transport.bind({ kind: "unix", path: "/run/silent.sock" });
  return {
    transport,
    close: async () => {
      await silent.close();
      await server.close();
    },
  };
}

function tools(
  transport: Transport,
  targets: string[],
  more: Partial<McpToolsOptions> = {},
) {
  const audit: AuditEntry[] = [];
  const t = createMcpTools({
    targets: targets.map((s) => parseSocketSpec(s, "auto")),
    transport,
    audit: (entry) => audit.push(entry),
    timeoutMs: 300,
    ...more,
  });
  return { t, audit };
}

const OPENSIPS = "jsonrpc=/run/opensips/mi.sock";
const KAMAILIO = "binrpc=udp:127.0.0.1:2049";

test("accessOf() knows the read methods of both servers and takes every other method for a write", () => {
  for (const m of ["version", "which", "get_statistics", "ds_list", "ul_dump", "core.version"]) {
    assert.equal(accessOf(m), "read", m);
  }
  for (
    const m of ["dispatcher.list", "ul.dump", "htable.dump", "stats.fetch", "system.listMethods"]
  ) {
    assert.equal(accessOf(m), "read", m);
  }
  for (
    const m of ["kill", "core.kill", "cache_store", "ds_reload", "ul.rm", "htable.sets", "x.y"]
  ) {
    assert.equal(accessOf(m), "write", m);
  }
});

test("decideAccess() allows writes by name or glob, and a stopping method only by name", () => {
  assert.equal(decideAccess("htable.sets", []).allowed, false);
  assert.equal(decideAccess("htable.sets", ["htable.*"]).allowed, true);
  assert.equal(decideAccess("htable.sets", ["htable.set?"]).allowed, true);
  assert.equal(decideAccess("htable.delete", ["htable.set*"]).allowed, false);
  assert.equal(decideAccess("kill", ["*"]).allowed, false);
  assert.equal(decideAccess("core.kill", ["core.*"]).allowed, false);
  assert.equal(decideAccess("core.kill", ["core.kill"]).allowed, true);
  assert.match(decideAccess("ul.rm", []).reason!, /--allow-write ul\.rm/);
  // A glob's other characters are literal.
  assert.equal(decideAccess("dsXreload", ["ds.reload"]).allowed, false);
});

test("list_targets names each target with its dialect, server kind and version, and a dead one as down", async () => {
  const s = await standIns();
  try {
    const { t } = tools(s.transport, [
      "/run/opensips/mi.sock",
      KAMAILIO,
      "jsonrpc=/run/silent.sock",
    ]);
    const result = await t.call("list_targets", {}, "test");
    assert.equal(result.isError, false);
    const rows = result.structuredContent!.targets as Array<Record<string, unknown>>;
    assert.deepEqual(rows[0], {
      name: "/run/opensips/mi.sock",
      dialect: "jsonrpc/opensips",
      server: "opensips",
      version: "stand-in 1.0",
      up: true,
    });
    assert.deepEqual(rows[1], {
      name: "udp:127.0.0.1:2049",
      dialect: "binrpc",
      server: "kamailio",
      version: "stand-in 1.0",
      up: true,
    });
    assert.equal(rows[2].up, false);
    assert.match(String(rows[2].error), /within 300 ms/);
  } finally {
    await s.close();
  }
});

test("call_method runs a read, refuses a write with the way to allow it, and runs an allowed write", async () => {
  const s = await standIns();
  try {
    const { t, audit } = tools(s.transport, [OPENSIPS], { allowWrite: ["cache_st*"] });
    const read = await t.call("call_method", { method: "uptime" }, "test");
    assert.equal(read.isError, false);
    assert.equal(read.structuredContent!.access, "read");
    assert.ok("Up since" in (read.structuredContent!.result as object));

    const refused = await t.call(
      "call_method",
      { method: "cache_remove", params: ["local", "k"] },
      "test",
    );
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text, /may change the server.*--allow-write cache_remove/);

    const stored = await t.call("call_method", {
      method: "cache_store",
      params: { system: "local", attr: "k", value: "v" },
    }, "test");
    assert.equal(stored.isError, false, stored.content[0].text);
    const fetched = await t.call("call_method", {
      method: "cache_fetch",
      params: { system: "local", attr: "k" },
    }, "test");
    assert.deepEqual(fetched.structuredContent!.result, { key: "k", value: "v" });

    assert.deepEqual(audit.map((a) => [a.tool, a.method, a.outcome]), [
      ["call_method", "uptime", "ok"],
      ["call_method", "cache_remove", "refused"],
      ["call_method", "cache_store", "ok"],
      ["call_method", "cache_fetch", "ok"],
    ]);
    assert.deepEqual(audit[2].params, { system: "local", attr: "k", value: "v" });
    assert.equal(audit[0].client, "test");
  } finally {
    await s.close();
  }
});

test("call_method reports an error reply, an unknown target and a silent server as tool errors", async () => {
  const s = await standIns();
  try {
    // An unknown method is a write: allowed here, to reach the server's own answer.
    const { t, audit } = tools(s.transport, [KAMAILIO, "jsonrpc=/run/silent.sock"], {
      allowWrite: ["no.*"],
    });
    const noTarget = await t.call("call_method", { method: "core.version" }, "test");
    assert.equal(noTarget.isError, true);
    assert.match(
      noTarget.content[0].text,
      /Name a target: "udp:127\.0\.0\.1:2049", "\/run\/silent\.sock"/,
    );
    const echo = await t.call("call_method", {
      target: "udp:127.0.0.1:2049",
      method: "core.echo",
      params: ["x", 2],
    }, "t");
    // Kamailio's core.echo reads every parameter as a string.
    assert.deepEqual(echo.structuredContent!.result, ["x", "2"], echo.content[0].text);
    const missing = await t.call("call_method", { target: KAMAILIO, method: "no.such" }, "test");
    assert.equal(missing.isError, true);
    assert.match(missing.content[0].text, /no\.such answered/);
    const silent = await t.call(
      "call_method",
      { target: "/run/silent.sock", method: "version" },
      "test",
    );
    assert.equal(silent.isError, true);
    assert.match(silent.content[0].text, /within 300 ms/);
    assert.deepEqual(audit.map((a) => a.outcome), ["invalid", "ok", "error-reply", "timeout"]);
  } finally {
    await s.close();
  }
});

test("get_statistics reads counters as numbers from both servers' layouts", async () => {
  const s = await standIns();
  try {
    const { t } = tools(s.transport, [OPENSIPS, KAMAILIO]);
    await t.call("call_method", { target: OPENSIPS, method: "version" }, "test");
    const opensips = await t.call("get_statistics", { target: OPENSIPS, names: ["jsonrpc:"] }, "t");
    const o = opensips.structuredContent!.statistics as Record<string, number>;
    assert.ok(o["jsonrpc:requests"] >= 1, JSON.stringify(o));
    const kamailio = await t.call("get_statistics", { target: KAMAILIO }, "t");
    const k = kamailio.structuredContent!.statistics as Record<string, number>;
    assert.equal(typeof k["binrpc.requests"], "number", JSON.stringify(k));
  } finally {
    await s.close();
  }
});

test("list_methods asks OpenSIPS 3's help by its mi_cmd parameter", async () => {
  const s = await standIns();
  try {
    const { t } = tools(s.transport, [OPENSIPS]);
    const result = await t.call("list_methods", {}, "test");
    const methods = result.structuredContent!.methods as Array<{ name: string; help?: string }>;
    const help = methods.find((m) => m.name === "version")?.help ?? "";
    assert.match(help, /version/i);
    assert.doesNotMatch(help, /Usage/);
  } finally {
    await s.close();
  }
});

test("list_methods lists every method with its access and help text", async () => {
  const s = await standIns();
  try {
    const { t } = tools(s.transport, [KAMAILIO]);
    const result = await t.call("list_methods", {}, "test");
    const methods = result.structuredContent!.methods as Array<
      { name: string; access: string; help?: string }
    >;
    const version = methods.find((m) => m.name === "core.version");
    assert.equal(version?.access, "read");
    assert.match(version?.help ?? "", /version/i);
    assert.equal(methods.find((m) => m.name === "core.kill")?.access, "write");
  } finally {
    await s.close();
  }
});

test("list_methods over a FIFO waits for the reply in the configured reply directory", async () => {
  const transport = createMemoryTransport();
  const server = createServer({ transport, version: "stand-in 1.0", fifoReplyDir: "/run/replies" });
  await server.listen("fifo:/run/opensips_fifo", { dialect: "jsonrpc" });
  try {
    const { t } = tools(transport, ["jsonrpc/opensips=fifo:/run/opensips_fifo"], {
      replyDir: "/run/replies",
    });
    const result = await t.call("list_methods", {}, "test");
    const methods = result.structuredContent!.methods as Array<{ name: string }>;
    assert.ok(methods.some((m) => m.name === "version"), JSON.stringify(result));
  } finally {
    await server.close();
  }
});

test("a reply over the size limit is cut with a note, and calls beyond the rate are refused", async () => {
  const s = await standIns();
  try {
    let clock = 0;
    const { t, audit } = tools(s.transport, [KAMAILIO], {
      maxReplyBytes: 200,
      ratePerSecond: 2,
      now: () => clock,
    });
    const big = await t.call("call_method", { method: "system.listMethods" }, "test");
    assert.equal(big.isError, false);
    assert.equal(big.structuredContent!.truncated, true);
    assert.match(big.content[0].text, /\(cut: \d+ of \d+ bytes left out, over the 200-byte limit/);
    assert.ok(new TextEncoder().encode(String(big.structuredContent!.text)).length <= 200);
    await t.call("call_method", { method: "core.version" }, "test");
    const limited = await t.call("call_method", { method: "core.version" }, "test");
    assert.equal(limited.isError, true);
    assert.match(limited.content[0].text, /at most 2 a second/);
    clock += 500; // one token back
    assert.equal((await t.call("call_method", { method: "core.version" }, "test")).isError, false);
    assert.equal(audit[2].outcome, "rate-limited");
  } finally {
    await s.close();
  }
});
