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
import { clientCodec } from "../../lib/protocol/dialects.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import type { HttpAddress } from "../../lib/transport/types.ts";
import { withTimeout } from "../../lib/transport/_conformance_helpers.ts";

const ENV = { MIDGRAM_CONFIG: "/dev/null" };

test("send exits 143 on SIGTERM while an HTTP server has not answered yet", async () => {
  const http = await defaultTransport().listenRequests(
    { kind: "http", url: "http://127.0.0.1:0/mi" },
    { http: clientCodec("jsonrpc").http },
  );
  try {
    const io = captureIo({ env: ENV });
    const running = cli([
      "send",
      "-s",
      `jsonrpc=${(http.address as HttpAddress).url}`,
      "-t",
      "10s",
      "version",
    ], io);
    // The request arrives; nobody answers it.
    await withTimeout(http.next());
    io.abort(15);
    assert.equal(await withTimeout(running), 143);
    assert.doesNotMatch(io.err(), /midgram: 15/);
  } finally {
    await http.close();
  }
});

test("send exits 130 on SIGINT while a FIFO server has not answered yet", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-signal-"));
  const fifo = await defaultTransport().listenRequests(
    { kind: "fifo", path: join(dir, "mi_fifo") },
    { fifo: clientCodec("jsonrpc").fifo!("opensips"), replyDir: dir },
  );
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
    await withTimeout(fifo.next());
    io.abort(2);
    assert.equal(await withTimeout(running), 130);
    assert.doesNotMatch(io.err(), /midgram: 2/);
  } finally {
    await fifo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
