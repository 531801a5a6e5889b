/**
 * `midgram serve --dialect jsonrpc` serves the OpenSIPS 3 clients as they
 * are described in the reference (they cannot be installed here): the
 * request shape of opensips-cli and opensips-mi (Python's `json.dumps`,
 * `"params": {}` when there are none, a random string id), `which` before
 * every command, the FIFO reply file `opensips_fifo_reply_<pid>_<time>` in
 * the reply directory, and `/mi` over HTTP.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "./server.ts";
import { defaultTransport } from "../transport/open.ts";
import { fifoRequest } from "../transport/fifo.ts";
import { httpPost } from "../transport/http.ts";
import type { Address } from "../transport/types.ts";
import { receiveWithin } from "../transport/testing/wait.ts";

/** Python's json.dumps: ", " and ": " between items. */
function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${
      Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`).join(", ")
    }}`;
  }
  return JSON.stringify(value);
}

/** What opensips-cli writes. */
function cliRequest(method: string, params: unknown = {}): Uint8Array {
  const id = Math.random().toString(36).slice(2, 12);
  return new TextEncoder().encode(
    pyJson({ jsonrpc: "2.0", id, method, params }),
  );
}

const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

test("opensips-cli over mi_fifo: which first, then the command, reply files in the reply directory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-opensips-cli-"));
  const replyDir = join(dir, "replies");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(replyDir);
  const server = createServer({ transport: defaultTransport(), fifoReplyDir: replyDir });
  try {
    const fifo = await server.listen(`fifo:${join(dir, "opensips_fifo")}`, { dialect: "jsonrpc" });
    const ask = async (method: string, params?: unknown) => {
      const name = `opensips_fifo_reply_${Math.floor(Math.random() * 1e6)}_${Date.now()}`;
      const reply = await fifoRequest((fifo as { path: string }).path, (replyName) => {
        const body = cliRequest(method, params);
        const head = new TextEncoder().encode(`:${replyName}:`);
        const out = new Uint8Array(head.length + body.length + 1);
        out.set(head);
        out.set(body, head.length);
        out[out.length - 1] = 0x0a;
        return out;
      }, { replyDir, replyName: name, mode: 0o666, timeoutMs: 5000 });
      return json(reply);
    };
    const which = await ask("which");
    assert.ok(which.result.includes("get_statistics"));
    const stats = await ask("get_statistics", { statistics: ["jsonrpc:"] });
    assert.ok(stats.result, JSON.stringify(stats));
    assert.equal(stats.result["jsonrpc:requests"], 2, "which and this call");
    const missing = await ask("no_such_command");
    assert.deepEqual(missing.error, { code: -32601, message: "Method not found" });
    assert.deepEqual(readdirSync(replyDir), [], "every reply FIFO is removed");
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("opensips-cli over mi_http and mi_datagram: the same requests get OpenSIPS's answers", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-opensips-cli-"));
  const transport = defaultTransport();
  const server = createServer({ transport, version: "OpenSIPS (3.6.8 (x86_64/linux))" });
  try {
    const http = await server.listen("http://127.0.0.1:0/mi", { dialect: "jsonrpc" });
    const url = (http as { url: string }).url;
    for (const path of ["", "/version"]) {
      const reply = await httpPost(url + path, cliRequest("version"), {
        timeoutMs: 5000,
        contentType: "application/json",
      });
      assert.equal(reply.status, 200);
      assert.deepEqual(json(reply.body).result, { Server: "OpenSIPS (3.6.8 (x86_64/linux))" });
    }
    const datagram = await server.listen(join(dir, "mi.sock"), { dialect: "jsonrpc" });
    const client = await transport.connectable(datagram as Address);
    try {
      await client.send(cliRequest("uptime"), datagram as Address);
      const reply = json((await receiveWithin(client, 5000)).data);
      assert.deepEqual(Object.keys(reply.result), ["Now", "Up since", "Up time"]);
    } finally {
      await client.close();
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
