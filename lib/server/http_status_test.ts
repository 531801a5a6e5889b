/**
 * The HTTP status line of each reply, as the server's pipeline knows it
 * (the fault it encoded, not the reply's bytes), in memory and over real
 * sockets; and, when a real Kamailio serves `xhttp`
 * (`MIDGRAM_KAMAILIO_HTTP`), the same status lines as it gives.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { createServer } from "./server.ts";
import { peerOf } from "../protocol/peer.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { defaultTransport } from "../transport/open.ts";
import type { HttpAddress, HttpStatus, Transport } from "../transport/types.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const httpAt = (path: string): HttpAddress => ({ kind: "http", url: `http://127.0.0.1:0${path}` });
const request = (method: string, params: unknown[] = [], id: number | null = 1) =>
  JSON.stringify({ jsonrpc: "2.0", method, params, ...(id === null ? {} : { id }) });

/**
 * Requests and the status lines Kamailio 5.6.3's `xhttp` answered them
 * with (seen with curl): the handler's fault code and message, 200 OK else.
 */
const KAMAILIO_CASES: [string, string, HttpStatus][] = [
  ["a result", request("core.version"), { code: 200, reason: "OK" }],
  ["an unknown method", request("no.such_method"), { code: 500, reason: "Method Not Found" }],
  ["an unknown method without id", request("no.such_method", [], null), {
    code: 500,
    reason: "Method Not Found",
  }],
  ["a handler's fault", request("system.methodHelp", ["no.such_method"]), {
    code: 400,
    reason: "command not found",
  }],
  ["a missing parameter", request("stats.fetch"), {
    code: 400,
    reason: "Please provide which stats to retrieve",
  }],
  // Batches are not supported: an empty result.
  ["a batch with an error in it", `[${request("core.version")},${request("no.such_method")}]`, {
    code: 200,
    reason: "OK",
  }],
  ["a request without method", '{"jsonrpc":"2.0","id":1}', { code: 200, reason: "OK" }],
];

/** Each request's status line from the server at `url`. */
async function statusLines(
  transport: Transport,
  url: string,
  bodies: string[],
): Promise<HttpStatus[]> {
  const address: HttpAddress = { kind: "http", url };
  const lines: HttpStatus[] = [];
  for (const body of bodies) {
    const seen: HttpStatus[] = [];
    await transport.exchange(address, enc(body), {
      http: peerOf("jsonrpc", "kamailio").http,
      timeoutMs: 5000,
      onStatus: (status) => seen.push(status),
    });
    assert.equal(seen.length, 1, body);
    lines.push(seen[0]);
  }
  return lines;
}

const transports: [string, () => Transport][] = [
  ["in memory", createMemoryTransport],
  ["over real sockets", defaultTransport],
];

for (const [where, open] of transports) {
  test(`serve jsonrpc/kamailio over HTTP ${where} answers each reply with the status line of its fault`, async () => {
    const transport = open();
    const server = createServer({ transport });
    try {
      const address = await server.listen(httpAt("/RPC"), {
        dialect: "jsonrpc",
        flavour: "kamailio",
      });
      const got = await statusLines(transport, address.url, KAMAILIO_CASES.map(([, body]) => body));
      for (const [i, [what, , want]] of KAMAILIO_CASES.entries()) {
        assert.deepEqual(got[i], want, what);
      }
    } finally {
      await server.close();
    }
  });

  test(`serve jsonrpc/opensips over HTTP ${where} answers errors with 200, as mi_http does`, async () => {
    const transport = open();
    const server = createServer({ transport });
    try {
      const address = await server.listen(httpAt("/mi"), {
        dialect: "jsonrpc",
        flavour: "opensips",
      });
      const got = await statusLines(transport, address.url, [
        request("no.such_method"),
        request("version"),
      ]);
      assert.deepEqual(got.map((s) => s.code), [200, 200]);
    } finally {
      await server.close();
    }
  });
}

const KAMAILIO_HTTP = process.env.MIDGRAM_KAMAILIO_HTTP;

test("serve jsonrpc/kamailio over HTTP gives the status lines the real Kamailio gives", {
  skip: KAMAILIO_HTTP
    ? false
    : "no real Kamailio over HTTP: set MIDGRAM_KAMAILIO_HTTP (.ci/run does)",
}, async () => {
  const transport = defaultTransport();
  const server = createServer({ transport });
  try {
    const address = await server.listen(httpAt("/RPC"), {
      dialect: "jsonrpc",
      flavour: "kamailio",
    });
    const bodies = KAMAILIO_CASES.map(([, body]) => body);
    const real = await statusLines(transport, KAMAILIO_HTTP!, bodies);
    const ours = await statusLines(transport, address.url, bodies);
    for (const [i, [what, , want]] of KAMAILIO_CASES.entries()) {
      assert.deepEqual(real[i], want, `the real Kamailio, ${what}`);
      assert.deepEqual(ours[i], real[i], what);
    }
  } finally {
    await server.close();
  }
});
