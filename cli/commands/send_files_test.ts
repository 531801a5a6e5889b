import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { createServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { writePacket } from "../../lib/protocol/binrpc/write_packet.ts";
import { writeRecords } from "../../lib/protocol/binrpc/write_records.ts";

test("send -f sends a JSON-RPC or binrpc request file as it is and matches the reply by its own id or cookie", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-files-"));
  const server = createServer({ transport: defaultTransport() });
  try {
    await server.listen(join(dir, "j.sock"), { dialect: "jsonrpc", flavour: "kamailio" });
    await server.listen(`unixs:${join(dir, "b.sock")}`, { dialect: "binrpc" });
    writeFileSync(
      join(dir, "req.json"),
      '{"jsonrpc":"2.0","method":"core.echo","params":["x"],"id":77}',
    );
    const json = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(
      await cli([
        "send",
        "--dialect",
        "jsonrpc",
        "-s",
        join(dir, "j.sock"),
        "-f",
        join(dir, "req.json"),
        "--raw",
      ], json),
      0,
      json.err(),
    );
    assert.match(json.out(), /"id":\s*77/);
    writeFileSync(
      join(dir, "req.bin"),
      writePacket({ type: "request", cookie: 1234, body: writeRecords(["core.echo", "y"]) }),
    );
    const bin = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(
      await cli([
        "send",
        "--dialect",
        "binrpc",
        "-s",
        `unixs:${join(dir, "b.sock")}`,
        "-f",
        join(dir, "req.bin"),
      ], bin),
      0,
      bin.err(),
    );
    assert.equal(bin.out(), "y\n");
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
