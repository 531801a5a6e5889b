/**
 * A stop signal during a `send` ends it with 128+N whatever the transport:
 * the FIFO and HTTP exchanges end as the datagram and stream ones do.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { listenFifo } from "../../lib/transport/fifo.ts";
import { listenHttp } from "../../lib/transport/http.ts";
import { withTimeout } from "../../lib/transport/_conformance_helpers.ts";

const ENV = { MIDGRAM_CONFIG: "/dev/null" };

test("send exits 143 on SIGTERM while an HTTP server has not answered yet", async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const http = await listenHttp("127.0.0.1", 0, "/mi", async () => {
    entered();
    await finished;
    return null;
  });
  try {
    const io = captureIo({ env: ENV });
    const running = cli(["send", "-s", `jsonrpc=${http.address.url}`, "-t", "10s", "version"], io);
    await withTimeout(inHandler);
    io.abort(15);
    assert.equal(await withTimeout(running), 143);
    assert.doesNotMatch(io.err(), /midgram: 15/);
  } finally {
    finish();
    await http.close();
  }
});

test("send exits 130 on SIGINT while a FIFO server has not answered yet", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-signal-"));
  const fifo = await listenFifo(join(dir, "mi_fifo"));
  try {
    const io = captureIo({ env: ENV });
    const running = cli(
      [
        "send",
        "-s",
        `jsonrpc=fifo:${join(dir, "mi_fifo")}`,
        "--reply-dir",
        dir,
        "-t",
        "10s",
        "version",
      ],
      io,
    );
    // The request arrives; nobody answers it.
    await withTimeout(fifo.read());
    io.abort(2);
    assert.equal(await withTimeout(running), 130);
    assert.doesNotMatch(io.err(), /midgram: 2/);
  } finally {
    await fifo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
