/**
 * Who may reach a client's reply socket, and where a UDP client binds, on the
 * runtime's own transport (Node's on Node, Deno's on Deno), through real sockets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { clientHost, planReplyAccess } from "./_unix_path.ts";
import { defaultTransport } from "./open.ts";
import type { Address, DatagramSocket } from "./types.ts";
import { receiveWithin } from "./testing/wait.ts";

const isRoot = process.geteuid?.() === 0;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Waits for the next datagram, at most 5 s. */
async function receive(socket: DatagramSocket): Promise<{ data: string; from: Address | null }> {
  const { data, from } = await receiveWithin(socket, 5000);
  return { data: dec(data), from };
}

/** Sends a request from a fresh client to `server`, echoes it back, and returns what the client got. */
async function roundTrip(server: DatagramSocket, target: Address = server.address) {
  const client = await defaultTransport().connectable(target);
  try {
    await client.send(enc("ping"), target);
    const request = await receive(server);
    assert.ok(request.from, "the request has a sender");
    await server.send(enc("pong"), request.from);
    return { client: client.address, reply: (await receive(client)).data };
  } finally {
    await client.close();
  }
}

test("clientHost() binds to the family's loopback for a server on loopback, else the wildcard", () => {
  assert.equal(clientHost("127.0.0.1"), "127.0.0.1");
  assert.equal(clientHost("127.0.0.2"), "127.0.0.1");
  assert.equal(clientHost("::1"), "::1");
  assert.equal(clientHost("0:0:0:0:0:0:0:1"), "::1");
  assert.equal(clientHost("192.0.2.7"), "0.0.0.0");
  assert.equal(clientHost("2001:db8::1"), "::");
  assert.equal(clientHost("::ffff:127.0.0.1"), "::");
});

test("connectable() binds a UDP client to 127.0.0.1 for a server on 127.0.0.1 and 127.0.0.2", async () => {
  for (const host of ["127.0.0.1", "127.0.0.2"]) {
    const server = await defaultTransport().bind({ kind: "udp", host, port: 0 });
    try {
      const { client, reply } = await roundTrip(server);
      assert.equal(reply, "pong");
      assert.equal(client.kind === "udp" && client.host, "127.0.0.1");
    } finally {
      await server.close();
    }
  }
});

const hasIpv6Loopback = Object.values(networkInterfaces()).flat()
  .some((i) => i?.address === "::1");

test("connectable() binds a UDP client to ::1 for a server on ::1", {
  skip: hasIpv6Loopback ? undefined : "no IPv6 loopback",
}, async () => {
  const server = await defaultTransport().bind({ kind: "udp", host: "::1", port: 0 });
  try {
    const { client, reply } = await roundTrip(server);
    assert.equal(reply, "pong");
    assert.equal(client.kind === "udp" && client.host, "::1");
  } finally {
    await server.close();
  }
});

test("connectable() lets only the server socket's owner and group reach a UNIX reply socket", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-reply-test-"));
  const server = await defaultTransport().bind({ kind: "unix", path: join(dir, "s.sock") });
  try {
    assert.equal((await roundTrip(server)).reply, "pong");
    // Our own socket, in our group: the group may enter; others may not even traverse.
    const own = statSync(join(dir, "s.sock"));
    const groups = new Set([process.getegid?.(), ...(process.getgroups?.() ?? [])]);
    const expectGroup = isRoot || groups.has(own.gid);
    const client2 = await defaultTransport().connectable(server.address);
    try {
      const cp = (client2.address as { path: string }).path;
      assert.equal(statSync(dirname(cp)).mode & 0o777, expectGroup ? 0o710 : 0o700);
      assert.equal(statSync(cp).mode & 0o777, expectGroup ? 0o620 : 0o600);
      if (expectGroup) assert.equal(statSync(dirname(cp)).gid, own.gid);
    } finally {
      await client2.close();
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "connectable() as root gives the reply directory to the owner of a server socket of another user",
  {
    skip: isRoot ? undefined : "needs root",
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-reply-test-"));
    chmodSync(dir, 0o755);
    const server = await defaultTransport().bind({ kind: "unix", path: join(dir, "s.sock") }, {
      mode: 0o666,
    });
    try {
      chownSync(join(dir, "s.sock"), 65534, 65534);
      const client = await defaultTransport().connectable(server.address);
      try {
        const path = (client.address as { path: string }).path;
        const d = statSync(dirname(path));
        assert.deepEqual([d.uid, d.gid, d.mode & 0o777], [65534, 65534, 0o110]);
        const s = statSync(path);
        assert.deepEqual([s.uid, s.gid, s.mode & 0o777], [65534, 65534, 0o220]);
      } finally {
        await client.close();
      }
      // And the round trip still works (our server runs as root, which passes anyway).
      assert.equal((await roundTrip(server)).reply, "pong");
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("planReplyAccess() makes a private directory when the server socket cannot be examined", async () => {
  assert.deepEqual(await planReplyAccess({ kind: "unix", path: "/nonexistent/s.sock" }), {
    uid: -1,
    gid: -1,
    dirMode: 0o700,
    socketMode: 0o600,
  });
});

test("connectable() with a path binds the client there under that name, and close() removes it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-reply-at-"));
  const transport = defaultTransport();
  const serverPath = join(dir, "server.sock");
  const server = await transport.bind({ kind: "unix", path: serverPath });
  try {
    const path = join(dir, "reply.sock");
    const client = await transport.connectable(server.address, { path });
    try {
      assert.deepEqual(client.address, { kind: "unix", path });
      // The mode of a private directory's socket: the owner, and the server's group.
      assert.equal(statSync(path).mode & 0o777, 0o620);
      await client.send(enc("ping"), server.address);
      const request = await receive(server);
      // The sender's own name is the path: the server answers there.
      assert.deepEqual(request.from, { kind: "unix", path });
      await server.send(enc("pong"), request.from!);
      assert.equal((await receive(client)).data, "pong");
    } finally {
      await client.close();
    }
    assert.throws(() => statSync(path), { code: "ENOENT" });
    // Anything but a dead socket is never replaced.
    await assert.rejects(transport.connectable(server.address, { path: serverPath }), {
      code: "address-in-use",
    });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
