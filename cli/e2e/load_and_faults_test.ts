import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sendRequest } from "../../lib/client/request.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { SPAWNS_ONLY, startServer } from "./_processes.ts";

const transport = defaultTransport();
const enc = (s: string) => new TextEncoder().encode(s);

test("4 clients for 3 seconds on a UNIX socket: every request gets its reply", {
  skip: SPAWNS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-load-"));
  const proc = await startServer("node", ["-s", join(dir, "mi.sock"), "--log-level", "error"], 1);
  const address = parseAddress(proc.addresses[0]);
  try {
    const until = Date.now() + 3000;
    const counts = await Promise.all(Array.from({ length: 4 }, async (_, client) => {
      let sent = 0;
      let answered = 0;
      while (Date.now() < until) {
        sent++;
        const key = `c${client}-${sent}`;
        const { text } = await sendRequest(address, {
          command: "cache_fetch",
          args: [
            { name: null, value: "local" },
            { name: null, value: key },
          ],
        }, { transport, timeoutMs: 5000 });
        // Each reply names the key asked for: no reply is lost or mixed up.
        if (text === "200 OK\nValue not found\n\n") answered++;
      }
      return { sent, answered };
    }));
    for (const { sent, answered } of counts) {
      assert.ok(sent > 0);
      assert.equal(answered, sent);
    }
    const stats = await sendRequest(address, {
      command: "get_statistics",
      args: [{ name: null, value: "mi_cmd:cache_fetch" }],
    }, { transport });
    const total = counts.reduce((n, c) => n + c.sent, 0);
    assert.equal(stats.text, `200 OK\nmi_cmd:cache_fetch:: ${total}\n\n`);
  } finally {
    assert.equal(await proc.stop(), 143, "SIGTERM: 128+15 after a clean stop");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the server survives random bytes, empty and oversized datagrams and vanished clients", {
  skip: SPAWNS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-faults-"));
  const proc = await startServer("node", [
    "-s",
    join(dir, "mi.sock"),
    "-s",
    "udp:127.0.0.1:0",
    "--log-level",
    "error",
  ], 2);

  try {
    for (const text of proc.addresses) {
      const address = parseAddress(text);
      const socket = await transport.connectable(address);
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let i = 0; i < 200; i++) {
        const bytes = new Uint8Array(Math.floor(random() * 300));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
        if (i % 3 === 0 && bytes.length > 2) bytes[0] = 0x3a;
        await socket.send(bytes, address);
      }
      await socket.send(new Uint8Array(0), address);
      await socket.send(new Uint8Array(65500).fill(0x3a), address);
      await socket.close(); // vanished: replies to it go nowhere
      for (let i = 0; i < 20; i++) {
        const gone = await transport.connectable(address);
        await gone.send(enc(":which:\n"), address);
        await gone.close();
      }
      // UDP may drop a datagram while the server's receive buffer is full of the flood: retry.
      const { text: reply } = await sendRequest(address, { command: "version", args: [] }, {
        transport,
        timeoutMs: 2000,
        retries: 3,
      });
      assert.match(reply, /^200 OK\nServer:: midgram /);
    }
  } finally {
    assert.equal(await proc.stop(), 143, proc.stderr());
    rmSync(dir, { recursive: true, force: true });
  }
});
