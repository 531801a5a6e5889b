import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MidgramError } from "../errors.ts";
import { httpPost, listenHttp } from "./http.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof MidgramError ? error.code : `not a MidgramError: ${error}`;
  }
  return "no error";
}

test("httpPost() and listenHttp() carry a request and its reply", async () => {
  const seen: string[] = [];
  const server = await listenHttp("127.0.0.1", 0, "/mi", (body, request) => {
    seen.push(`${request.method} ${request.path} ${request.headers["content-type"]}`);
    return { status: 200, contentType: "application/json", body: encode(`[${decode(body)}]`) };
  });
  try {
    assert.match(server.address.url, /^http:\/\/127\.0\.0\.1:\d+\/mi$/);
    const reply = await httpPost(server.address.url, encode('{"id":1}'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["content-type"], "application/json");
    assert.equal(decode(reply.body), '[{"id":1}]');
    const below = await httpPost(server.address.url + "/version", encode("x"), {
      contentType: "text/plain",
    });
    assert.equal(below.status, 200);
    assert.deepEqual(seen, ["POST /mi application/json", "POST /mi/version text/plain"]);
    const other = await httpPost(server.address.url.replace("/mi", "/other"), encode("x"));
    assert.equal(other.status, 404);
  } finally {
    await server.close();
  }
});

test("listenHttp() refuses other methods, big bodies, and hides handler failures", async () => {
  const server = await listenHttp("127.0.0.1", 0, "mi", (body) => {
    if (decode(body) === "boom") throw new Error("secret detail");
    return null;
  }, { maxBody: 10 });
  try {
    const get = await fetch(server.address.url);
    assert.equal(get.status, 405);
    await get.body?.cancel();
    assert.equal((await httpPost(server.address.url, encode("ok"))).status, 204);
    const failed = await httpPost(server.address.url, encode("boom"));
    assert.equal(failed.status, 500);
    assert.ok(!decode(failed.body).includes("secret"));
    const big = await httpPost(server.address.url, new Uint8Array(1000)).catch((e) => e);
    assert.ok(
      big instanceof MidgramError ? big.code === "closed" : big.status === 413,
      String(big),
    );
  } finally {
    await server.close();
  }
});

test("httpPost() gives up on a body that never ends, within its one time limit", async () => {
  // mi_http's refusals: headers, then a chunked body that never ends.
  const hanging = http.createServer((_req, res) => {
    res.writeHead(202, { "transfer-encoding": "chunked" });
    res.write("started");
  });
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  const { port } = hanging.address() as AddressInfo;
  try {
    const url = `http://127.0.0.1:${port}/mi`;
    const error = await httpPost(url, encode("{}"), { timeoutMs: 200 }).catch((e) => e);
    assert.ok(error instanceof MidgramError, String(error));
    assert.equal(error.code, "timeout");
    assert.equal(error.message, `No complete reply from "${url}" within 200 ms`);
    const controller = new AbortController();
    const aborted = httpPost(url, encode("{}"), { signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
  } finally {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  }
});

test("httpPost() maps a refused connection, naming the URL", async () => {
  const server = await listenHttp("127.0.0.1", 0, "/mi", () => null);
  const url = server.address.url;
  await server.close();
  const error = await httpPost(url, encode("{}")).catch((e) => e);
  assert.equal(await codeOf(Promise.reject(error)), "connection-refused");
  assert.ok(error.message.includes(`"${url}"`), error.message);
});

test("listenHttp() reports an address in use", async () => {
  const server = await listenHttp("127.0.0.1", 0, "/mi", () => null);
  try {
    const port = Number(new URL(server.address.url).port);
    assert.equal(await codeOf(listenHttp("127.0.0.1", port, "/mi", () => null)), "address-in-use");
  } finally {
    await server.close();
  }
});

test("listenHttp(): stopListening() refuses new connections and still answers a request in progress", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  const server = await listenHttp("127.0.0.1", 0, "/mi", async () => {
    arrived();
    await released;
    return { status: 200, contentType: "text/plain", body: encode("done") };
  });
  try {
    const running = httpPost(server.address.url, encode("x"), { timeoutMs: 20_000 });
    await arrival;
    server.stopListening();
    assert.equal(await codeOf(httpPost(server.address.url, encode("y"))), "connection-refused");
    release();
    const reply = await running;
    assert.equal(reply.status, 200);
    assert.equal(decode(reply.body), "done");
  } finally {
    release();
    await server.close();
  }
});
