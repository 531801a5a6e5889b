/**
 * `serve --dialect ctlfifo`: the golden cases of `testdata/ctlfifo/` (status
 * lines taken from a real Kamailio 5.6.3) answered alike, and well-formed
 * values over a FIFO, UDP and TCP through the client; binrpc's
 * `autoconversion`.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { call } from "../client/call.ts";
import { clientCodec } from "../protocol/dialects.ts";
import { readCtlFifoStruct } from "../protocol/ctlfifo/read_reply.ts";
import type { Params } from "../protocol/value.ts";
import { defaultTransport } from "../transport/open.ts";
import type { AnyAddress } from "../transport/types.ts";
import { createServer } from "./server.ts";

const ROOT = fileURLToPath(new URL("../../testdata/ctlfifo/", import.meta.url));
const decoder = new TextDecoder();

/** A golden case: the request and what the real server answered (status line, whether values followed). */
interface GoldenCase {
  name: string;
  request: Uint8Array;
  expected: { reply?: null; status?: string; values?: boolean };
}

function goldenCases(): GoldenCase[] {
  return readdirSync(ROOT).filter((f) => f.endsWith(".ctlfifo")).sort().map((file) => {
    const name = file.slice(0, -".ctlfifo".length);
    return {
      name,
      request: new Uint8Array(readFileSync(ROOT + file)),
      expected: JSON.parse(readFileSync(`${ROOT}${name}.json`, "utf8")),
    };
  });
}

/** A reply as the golden files keep it: its status line and whether values follow. */
function shape(reply: Uint8Array | null): GoldenCase["expected"] {
  if (reply === null) return { reply: null };
  const eol = reply.indexOf(0x0a);
  return { status: decoder.decode(reply.subarray(0, eol)), values: reply.length > eol + 1 };
}

test("serve --dialect ctlfifo answers every golden case with Kamailio 5.6.3's status line", async () => {
  const server = createServer({ transport: defaultTransport() });
  try {
    const cases = goldenCases();
    assert.ok(cases.length >= 20, `${cases.length} cases`);
    for (const { name, request, expected } of cases) {
      const { note: _, ...want } = expected as GoldenCase["expected"] & { note?: string };
      const got = await server.handle(request, null, { dialect: "ctlfifo" });
      assert.deepEqual(shape(got), want, `case "${name}"`);
    }
  } finally {
    await server.close();
  }
});

test("serve --dialect ctlfifo answers well-formed values over a FIFO, UDP and TCP", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-ctlfifo-"));
  const transport = defaultTransport();
  const server = createServer({ transport, fifoReplyDir: dir, version: "midgram test" });
  try {
    const addresses: AnyAddress[] = [
      await server.listen(`fifo:${join(dir, "ctl_fifo")}`, { dialect: "ctlfifo" }),
      await server.listen("udp:127.0.0.1:0", { dialect: "ctlfifo" }),
      await server.listen("tcp:127.0.0.1:0", { dialect: "ctlfifo" }),
    ];
    const codec = clientCodec("ctlfifo");
    const ask = (to: AnyAddress, method: string, values: string[] = []) =>
      call(to, { method, params: { kind: "positional", values } as Params }, {
        transport,
        codec,
        timeoutMs: 3000,
        replyDir: dir,
      });
    for (const to of addresses) {
      const version = await ask(to, "core.version");
      assert.deepEqual(version.outcome, { kind: "result", value: ["midgram test"] }, to.kind);
      assert.equal(decoder.decode(version.bytes), "200 OK\nmidgram test\n");
      const uptime = await ask(to, "core.uptime");
      assert.equal(uptime.outcome?.kind, "result");
      const [line] = (uptime.outcome as unknown as { value: string[] }).value;
      // ctl's member order: the last added first.
      assert.deepEqual(readCtlFifoStruct(line)?.entries.map(([n]) => n), [
        "uptime",
        "up_since",
        "now",
      ]);
      assert.match(
        readCtlFifoStruct(line)!.get("now") as string,
        /^\w{3} \w{3} .\d \d\d:\d\d:\d\d \d{4}$/,
      );
      const help = await ask(to, "system.methodHelp", ["core.version"]);
      assert.deepEqual(help.outcome, {
        kind: "result",
        value: ["Returns the version string of the server."],
      });
      assert.deepEqual((await ask(to, "no.such")).outcome, {
        kind: "error",
        code: 500,
        message: "Command 'no.such' not found",
      });
      assert.deepEqual((await ask(to, "core.echo", ["a"])).outcome, {
        kind: "error",
        code: 500,
        message: "Server Internal Error (Invalid Formatting Character '.')",
      });
      const listen = await ask(to, "ctl.listen");
      assert.deepEqual((listen.outcome as unknown as { value: string[] }).value.slice(0, 4), [
        "fifo",
        "fifo",
        join(dir, "ctl_fifo"),
        "",
      ]);
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("serve --dialect ctlfifo over a FIFO answers only requests naming a bare reply FIFO", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-ctlfifo-"));
  const transport = defaultTransport();
  const server = createServer({ transport, fifoReplyDir: dir });
  try {
    const fifo = await server.listen(`fifo:${join(dir, "ctl_fifo")}`, { dialect: "ctlfifo" });
    // One write: a refused name, an escape out of the directory, then a good one.
    const { fifoRequest } = await import("../transport/fifo.ts");
    const reply = await fifoRequest(
      (fifo as { path: string }).path,
      (name) =>
        new TextEncoder().encode(
          `:core.version:a.b\n\n:core.version:..\n\n:core.version:a/b\n\n:no.such:${name}\n\n`,
        ),
      { replyDir: dir, timeoutMs: 3000 },
    );
    assert.equal(decoder.decode(reply), "500 Command 'no.such' not found\n");
    assert.deepEqual(readdirSync(dir).sort(), ["ctl_fifo"]);
    assert.equal(existsSync(join(dir, "..", "b")), false);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("createServer({ autoconversion }) converts binrpc parameters as ctl's autoconversion does", async () => {
  const transport = defaultTransport();
  const codec = clientCodec("binrpc");
  for (const autoconversion of [false, true]) {
    const server = createServer({ transport, autoconversion });
    try {
      const ask = async (method: string, values: Params["values"]) => {
        const request = codec.encodeRequest(method, { kind: "positional", values } as Params, 1);
        const reply = await server.handle(request, null, { dialect: "binrpc" });
        return codec.decodeReply(reply!, 1);
      };
      // system.methodHelp reads "s": an integer is converted to its text only with autoconversion.
      assert.deepEqual(
        await ask("system.methodHelp", [12]),
        autoconversion
          ? { kind: "error", code: 400, message: "command not found" }
          : { kind: "error", code: 400, message: "Method Name Expected" },
      );
      // stats.get_statistics reads "s" too.
      const stats = await ask("stats.get_statistics", [7]);
      assert.equal(stats.kind, autoconversion ? "result" : "error");
    } finally {
      await server.close();
    }
  }
});
