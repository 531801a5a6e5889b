// `midgram mcp` driven by the official SDK's own client: over streamable
// HTTP in-process (both runtimes), and over stdio and HTTP from dist/midgram
// itself, against `serve` as OpenSIPS 3 and, where it runs, the real
// Kamailio over binrpc and JSON-RPC (MIDGRAM_KAMAILIO_RUNDIR).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/client/stdio.d.ts"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.d.ts"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { serveMcpHttp } from "../../lib/mcp/server.ts";
import { type AuditEntry, createMcpTools } from "../../lib/mcp/tools.ts";
import { createServer } from "../../lib/server/server.ts";
import { parseSocketSpec } from "../../lib/socket_spec.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { BINARY, SPAWNS_ONLY } from "./_processes.ts";

const RUNDIR = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const NO_KAMAILIO = RUNDIR ? false : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (.ci/run does)";

type ToolText = { content: Array<{ type: string; text: string }>; isError?: boolean };
const text = (result: unknown) => (result as ToolText).content.map((c) => c.text).join("\n");

/** `serve` as OpenSIPS 3 on a real UNIX socket, and a socket that never answers. */
async function standIn() {
  const dir = mkdtempSync(join(tmpdir(), "midgram-mcp-"));
  const transport = defaultTransport();
  const server = createServer({ transport, version: "stand-in 3.6" });
  await server.listen(join(dir, "opensips.sock"), { dialect: "jsonrpc" });
  const silent = await transport.bind({ kind: "unix", path: join(dir, "stopped.sock") });
  return {
    dir,
    opensips: `jsonrpc=${join(dir, "opensips.sock")}`,
    stopped: `jsonrpc=${join(dir, "stopped.sock")}`,
    async close() {
      await silent.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The session every client runs: what the issue lists, against one target. */
async function session(
  client: Client,
  target: string,
  read: string,
  write: { method: string; params?: unknown },
  allowed: { method: string; params?: unknown },
): Promise<void> {
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  assert.deepEqual(tools, ["call_method", "get_statistics", "list_methods", "list_targets"]);
  const methods = await client.callTool({
    name: "list_methods",
    arguments: { target, help: false },
  });
  assert.ok(!methods.isError, text(methods));
  const names = (methods.structuredContent as { methods: Array<{ name: string }> }).methods
    .map((m) => m.name);
  assert.ok(names.includes(read), `${read} in ${names.join(" ")}`);
  const result = await client.callTool({
    name: "call_method",
    arguments: { target, method: read },
  });
  assert.ok(!result.isError, text(result));
  assert.equal((result.structuredContent as { method: string }).method, read);
  const refused = await client.callTool({ name: "call_method", arguments: { target, ...write } });
  assert.equal(refused.isError, true);
  assert.match(text(refused), /--allow-write/);
  const done = await client.callTool({ name: "call_method", arguments: { target, ...allowed } });
  assert.ok(!done.isError, text(done));
}

test("midgram mcp over streamable HTTP: the SDK's client, a token, reads, writes and a stopped server", async () => {
  const s = await standIn();
  const audit: AuditEntry[] = [];
  const tools = createMcpTools({
    targets: [s.opensips, s.stopped].map((t) => parseSocketSpec(t, "auto")),
    transport: defaultTransport(),
    allowWrite: ["cache_store"],
    timeoutMs: 500,
    audit: (entry) => audit.push(entry),
  });
  const http = await serveMcpHttp(tools, { name: "midgram", version: "test" }, {
    host: "127.0.0.1",
    port: 0,
    token: "s3cret",
  });
  const client = new Client({ name: "test", version: "1" });
  try {
    // No token, a wrong one: refused before any tool runs.
    const bare = await fetch(http.url, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    assert.equal(bare.status, 401);
    assert.match(bare.headers.get("www-authenticate") ?? "", /^Bearer/);
    await bare.body?.cancel();
    const wrong = new Client({ name: "test", version: "1" });
    await assert.rejects(
      wrong.connect(
        new StreamableHTTPClientTransport(new URL(http.url), {
          requestInit: { headers: { authorization: "Bearer nope" } },
        }),
      ),
    );
    await wrong.close();

    await client.connect(
      new StreamableHTTPClientTransport(new URL(http.url), {
        requestInit: { headers: { authorization: "Bearer s3cret" } },
      }),
    );
    const target = s.opensips.slice("jsonrpc=".length);
    await session(client, target, "uptime", {
      method: "cache_remove",
      params: { system: "local", attr: "k" },
    }, { method: "cache_store", params: { system: "local", attr: "k", value: "v" } });
    const stopped = await client.callTool({
      name: "call_method",
      arguments: { target: s.stopped.slice("jsonrpc=".length), method: "version" },
    });
    assert.equal(stopped.isError, true);
    assert.match(text(stopped), /within 500 ms/);
    assert.ok(audit.every((a) => a.client.startsWith("http 127.0.0.1:")), JSON.stringify(audit));
    assert.deepEqual(audit.map((a) => a.outcome), ["ok", "ok", "refused", "ok", "timeout"]);
  } finally {
    await client.close();
    await http.close();
    await s.close();
  }
});

describe("dist/midgram mcp", { concurrency: true }, () => {
  test(
    "over stdio, against serve as OpenSIPS 3 and a stopped server",
    { skip: SPAWNS_ONLY },
    async () => {
      const s = await standIn();
      const audit = join(s.dir, "audit.jsonl");
      const client = new Client({ name: "test", version: "1" });
      try {
        await client.connect(
          new StdioClientTransport({
            command: BINARY,
            args: [
              "mcp",
              "-s",
              s.opensips,
              "-s",
              s.stopped,
              "--allow-write",
              "cache_*",
              "--audit",
              audit,
            ],
            env: {
              PATH: process.env.PATH ?? "/usr/bin",
              HOME: tmpdir(),
              MIDGRAM_CONFIG: "/dev/null",
            },
            stderr: "ignore",
          }),
        );
        assert.equal(client.getServerVersion()?.name, "midgram");
        const targets = await client.callTool({ name: "list_targets", arguments: {} });
        const rows =
          (targets.structuredContent as { targets: Array<Record<string, unknown>> }).targets;
        assert.deepEqual(rows.map((r) => [r.server, r.version, r.up]), [
          ["opensips", "stand-in 3.6", true],
          [undefined, undefined, false],
        ]);
        const target = s.opensips.slice("jsonrpc=".length);
        await session(client, target, "which", { method: "kill" }, {
          method: "cache_store",
          params: { system: "local", attr: "k", value: "v" },
        });
        const stopped = await client.callTool({
          name: "call_method",
          arguments: { target: s.stopped.slice("jsonrpc=".length), method: "version" },
        });
        assert.match(text(stopped), /No reply .* within 5000 ms/);
      } finally {
        await client.close();
        await s.close();
      }
    },
  );

  test("over stdio, against the real Kamailio over binrpc and JSON-RPC", {
    skip: SPAWNS_ONLY || NO_KAMAILIO,
  }, async () => {
    const client = new Client({ name: "test", version: "1" });
    try {
      await client.connect(
        new StdioClientTransport({
          command: BINARY,
          args: [
            "mcp",
            "-s",
            `unixs:${RUNDIR}/ctl.sock`,
            "-s",
            `${RUNDIR}/jsonrpc.sock`,
            "--allow-write",
            "stats.clear_statistics",
          ],
          env: {
            PATH: process.env.PATH ?? "/usr/bin",
            HOME: tmpdir(),
            MIDGRAM_CONFIG: "/dev/null",
          },
          stderr: "ignore",
        }),
      );
      const targets = await client.callTool({ name: "list_targets", arguments: {} });
      const rows =
        (targets.structuredContent as { targets: Array<Record<string, unknown>> }).targets;
      assert.deepEqual(rows.map((r) => [r.dialect, r.server]), [
        ["binrpc", "kamailio"],
        ["jsonrpc/kamailio", "kamailio"],
      ]);
      assert.ok(
        rows.every((r) => String(r.version).startsWith("kamailio 5.")),
        JSON.stringify(rows),
      );
      for (const target of [`unixs:${RUNDIR}/ctl.sock`, `${RUNDIR}/jsonrpc.sock`]) {
        await session(client, target, "core.uptime", { method: "core.kill" }, {
          method: "stats.clear_statistics",
          params: ["no_such_group:"],
        });
        const stats = await client.callTool({
          name: "get_statistics",
          arguments: { target, names: ["shmem:"] },
        });
        const values =
          (stats.structuredContent as { statistics: Record<string, number> }).statistics;
        assert.ok(values["shmem.total_size"] > 0, JSON.stringify(values));
      }
    } finally {
      await client.close();
    }
  });

  test("over HTTP: a token from a file, 401 without it, a usage error with none", {
    skip: SPAWNS_ONLY,
  }, async () => {
    const s = await standIn();
    const env = {
      PATH: process.env.PATH ?? "/usr/bin",
      HOME: tmpdir(),
      MIDGRAM_CONFIG: "/dev/null",
    };
    const none = spawn(BINARY, ["mcp", "--http", "127.0.0.1:0", "-s", s.opensips], {
      env,
      stdio: "pipe",
    });
    let noneErr = "";
    none.stderr.on("data", (c) => (noneErr += c));
    const noneCode = await new Promise<number | null>((resolve) => none.on("close", resolve));
    assert.equal(noneCode, 2, noneErr);
    assert.match(noneErr, /needs a bearer token/);

    const tokenFile = join(s.dir, "token");
    writeFileSync(tokenFile, "file-token\n", { mode: 0o600 });
    const child = spawn(BINARY, [
      "mcp",
      "--http",
      "127.0.0.1:0",
      "--token-file",
      tokenFile,
      "-s",
      s.opensips,
    ], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const client = new Client({ name: "test", version: "1" });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`not ready in 10 s: ${out}`)), 10_000);
        child.stdout.on("data", (chunk) => {
          out += chunk;
          const m = /listening on (\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const bare = await fetch(url, { method: "POST", body: "{}" });
      assert.equal(bare.status, 401);
      await bare.body?.cancel();
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { authorization: "Bearer file-token" } },
        }),
      );
      const result = await client.callTool({
        name: "call_method",
        arguments: { method: "version" },
      });
      assert.ok(!result.isError, text(result));
    } finally {
      await client.close();
      child.kill("SIGTERM");
      const code = await exited;
      if (!("Deno" in globalThis)) assert.equal(code, 143);
      await s.close();
    }
  });
});
