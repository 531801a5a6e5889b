import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { createServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { formatAddress } from "../../lib/transport/address.ts";

test("send --dialect ctlfifo over a FIFO, UDP and TCP: the reply as it came, exit 0 or 1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-send-ctlfifo-"));
  const transport = defaultTransport();
  const server = createServer({ transport, version: "midgram test", fifoReplyDir: dir });
  try {
    const sockets = [
      formatAddress(await server.listen(`fifo:${join(dir, "ctl_fifo")}`, { dialect: "ctlfifo" })),
      formatAddress(await server.listen("udp:127.0.0.1:0", { dialect: "ctlfifo" })),
      formatAddress(await server.listen("tcp:127.0.0.1:0", { dialect: "ctlfifo" })),
    ];
    for (const socket of sockets) {
      const io = captureIo();
      const status = await cli(
        ["send", "-s", `ctlfifo=${socket}`, "--reply-dir", dir, "core.version"],
        io,
      );
      assert.equal(status, 0, `${socket}: ${io.err()}`);
      assert.equal(io.out(), "200 OK\nmidgram test\n", socket);
      const json = captureIo();
      assert.equal(
        await cli([
          "send",
          "-s",
          socket,
          "--dialect",
          "ctlfifo",
          "--reply-dir",
          dir,
          "--json",
          "system.methodHelp",
          "core.version",
        ], json),
        0,
      );
      assert.equal(json.out(), '["Returns the version string of the server."]\n');
      const error = captureIo();
      assert.equal(
        await cli(["send", "-s", `ctlfifo=${socket}`, "--reply-dir", dir, "no.such"], error),
        1,
      );
      assert.equal(error.out(), "500 Command 'no.such' not found\n");
    }
    // A request file keeps its own lines; over a FIFO its reply name is the client's.
    const file = join(dir, "req.ctlfifo");
    writeFileSync(file, ":core.version:someone_else\n\n");
    const io = captureIo();
    assert.equal(
      await cli(["send", "-s", `ctlfifo=${sockets[0]}`, "--reply-dir", dir, "-f", file], io),
      0,
      io.err(),
    );
    assert.equal(io.out(), "200 OK\nmidgram test\n");
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("send --dialect auto finds ctlfifo on a UDP socket", async () => {
  const transport = defaultTransport();
  const server = createServer({ transport, version: "midgram test" });
  try {
    const udp = formatAddress(await server.listen("udp:127.0.0.1:0", { dialect: "ctlfifo" }));
    const io = captureIo();
    assert.equal(await cli(["send", "-s", udp, "--dialect", "auto", "core.version"], io), 0);
    assert.equal(io.out(), "200 OK\nmidgram test\n");
  } finally {
    await server.close();
  }
});
