import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../server/server.ts";
import { defaultTransport } from "../transport/open.ts";
import { classifyProbeReply, detectDialect } from "./detect.ts";

test("detectDialect() tells every dialect served on UDP, ctlfifo by its bare 200 OK", async () => {
  const transport = defaultTransport();
  const server = createServer({ transport });
  try {
    const served = [
      ["mi", undefined],
      ["jsonrpc", "opensips"],
      ["jsonrpc", "kamailio"],
      ["binrpc", undefined],
      ["ctlfifo", undefined],
    ] as const;
    for (const [dialect, flavour] of served) {
      const address = await server.listen("udp:127.0.0.1:0", { dialect, flavour });
      const found = await detectDialect(address, { transport, timeoutMs: 3000 });
      assert.equal(found.dialect, dialect, `${dialect} ${flavour ?? ""}`);
      if (flavour) assert.equal(found.flavour, flavour);
    }
  } finally {
    await server.close();
  }
});

test("classifyProbeReply() takes only a bare 200 OK for ctlfifo", () => {
  const classify = (s: string) => classifyProbeReply(new TextEncoder().encode(s))?.dialect;
  assert.equal(classify("200 OK\n"), "ctlfifo");
  assert.equal(classify("200 OK\nmidgram\n"), "mi");
  assert.equal(classify("500 command not available\n"), "mi");
});
