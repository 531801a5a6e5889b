import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { looksServed, unixSocketType } from "./presence.ts";
import { defaultTransport } from "./open.ts";

const linux = process.platform === "linux" ? false : "reads Linux's /proc";

/** A stream socket bound at its path directly, as Kamailio's ctl binds it. */
function listenAt(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(path, () => resolve(server));
  });
}

test("unixSocketType() finds a stream socket whatever its mode; looksServed() sees it", {
  skip: linux,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-presence-"));
  const path = join(dir, "s");
  const server = await listenAt(path);
  try {
    chmodSync(path, 0o600);
    assert.equal(unixSocketType(path), "stream");
    assert.equal(unixSocketType(join(dir, "absent")), null);
    assert.equal(looksServed({ kind: "unix-stream", path }), true);
    assert.equal(looksServed({ kind: "unix", path: join(dir, "absent") }), false);
    assert.equal(looksServed({ kind: "fifo", path }), false, "a socket is no FIFO");
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});

const RUNDIR = process.env.MIDGRAM_KAMAILIO_RUNDIR;

test(
  "unixSocketType() tells the real Kamailio's ctl stream socket from its datagram sockets",
  { skip: linux || (RUNDIR ? false : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR") },
  () => {
    assert.equal(unixSocketType(`${RUNDIR}/ctl.sock`), "stream");
    assert.equal(unixSocketType(`${RUNDIR}/ctld.sock`), "datagram");
    assert.equal(unixSocketType(`${RUNDIR}/jsonrpc.sock`), "datagram");
  },
);

test("looksServed() sees a bound UDP port and not a free one", { skip: linux }, async () => {
  const transport = defaultTransport();
  const socket = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
  const port = (socket.address as { port: number }).port;
  try {
    assert.equal(looksServed({ kind: "udp", host: "127.0.0.1", port }), true);
  } finally {
    await socket.close();
  }
  assert.equal(looksServed({ kind: "udp", host: "127.0.0.1", port }), false);
});
