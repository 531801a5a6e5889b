// openSession() as kamcmd keeps it, over the memory transport against raw
// peers: open() before the first call, one socket for good (connectOnce),
// the first reply taken whatever its cookie (firstReply), the client's
// datagram socket bound where asked (replySocket), and the trace of the
// steps of an exchange.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type CallEvent, openSession } from "./call.ts";
import { MidgramError } from "../errors.ts";
import { clientCodec } from "../protocol/dialects.ts";
import { readPacket } from "../protocol/binrpc/read_packet.ts";
import { writePacket } from "../protocol/binrpc/write_packet.ts";
import { writeRecords } from "../protocol/binrpc/write_records.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { receiveWithin, until } from "../transport/testing/wait.ts";
import type { Address, StreamConnection } from "../transport/types.ts";

const binrpc = clientCodec("binrpc");
/** A request of cookie `cookie`. */
const request = (cookie: number) =>
  binrpc.encodeRequest("core.version", { kind: "positional", values: [] }, cookie);
/** A reply of cookie `cookie` with one string. */
const reply = (cookie: number, text = "ok") =>
  writePacket({ type: "reply", cookie, body: writeRecords([text]) });

test("openSession() with firstReply hands back another cookie's reply marked foreign, else waits for its own", async () => {
  const transport = createMemoryTransport();
  const peer = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 7101 });
  try {
    for (const firstReply of [false, true]) {
      const session = openSession(peer.address, {
        transport,
        codec: binrpc,
        timeoutMs: 2000,
        firstReply,
      });
      try {
        const pending = session.call(request(5));
        const { from } = await receiveWithin(peer, 2000);
        await peer.send(reply(6, "other"), from as Address);
        await peer.send(reply(5, "own"), from as Address);
        const got = await pending;
        assert.equal(got.foreign, firstReply ? true : undefined);
        assert.equal(readPacket(got.bytes).cookie, firstReply ? 6 : 5);
        assert.deepEqual(got.outcome, firstReply ? null : { kind: "result", value: ["own"] });
      } finally {
        await session.close();
      }
    }
  } finally {
    await peer.close();
  }
});

test("openSession() with firstReply hands back a stream's bytes that no reply can be framed from", async () => {
  const transport = createMemoryTransport();
  const listener = await transport.listenStream({ kind: "unix-stream", path: "/ctl" });
  try {
    const session = openSession(listener.address, {
      transport,
      codec: binrpc,
      timeoutMs: 2000,
      firstReply: true,
    });
    const accepted = listener.accept();
    try {
      await session.open();
      const connection = await accepted;
      const pending = session.call(request(7));
      assert.ok(await connection.read());
      await connection.write(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
      const got = await pending;
      assert.deepEqual(got.bytes, Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
      assert.equal(got.error?.code, "reply-syntax");
      await connection.close();
      // Without firstReply the same bytes are thrown.
      const plain = openSession(listener.address, { transport, codec: binrpc, timeoutMs: 2000 });
      const next = listener.accept();
      const thrown = assert.rejects(plain.call(request(8)), { code: "reply-syntax" });
      const other = await next;
      assert.ok(await other.read());
      await other.write(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
      await thrown;
      await plain.close();
      await other.close();
    } finally {
      await session.close();
    }
  } finally {
    await listener.close();
  }
});

test("openSession() open() connects before any call, and fails as a call would on no server", async () => {
  const transport = createMemoryTransport();
  const listener = await transport.listenStream({ kind: "tcp", host: "127.0.0.1", port: 7102 });
  try {
    const session = openSession(listener.address, { transport, codec: binrpc, timeoutMs: 2000 });
    const accepted = listener.accept();
    await session.open();
    const connection = await accepted;
    // Open already: the call goes over that connection.
    await session.open();
    const pending = session.call(request(9));
    assert.ok(await connection.read());
    await connection.write(reply(9));
    assert.deepEqual((await pending).outcome, { kind: "result", value: ["ok"] });
    await session.close();
    await connection.close();
  } finally {
    await listener.close();
  }
  const nobody = openSession({ kind: "unix-stream", path: "/none" }, {
    transport,
    codec: binrpc,
    timeoutMs: 2000,
  });
  await assert.rejects(nobody.open(), (e) => e instanceof MidgramError && e.code === "not-found");
  await nobody.close();
});

test("openSession() with connectOnce keeps its datagram socket after a timeout, else takes a new one", async () => {
  const transport = createMemoryTransport();
  const peer = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 7103 });
  try {
    for (const connectOnce of [false, true]) {
      const session = openSession(peer.address, {
        transport,
        codec: binrpc,
        timeoutMs: 100,
        connectOnce,
        firstReply: true,
      });
      try {
        // No answer to the first request.
        const first = assert.rejects(session.call(request(1)), { code: "timeout" });
        const one = await receiveWithin(peer, 2000);
        await first;
        const pending = session.call(request(2));
        const two = await receiveWithin(peer, 2000);
        assert.equal(
          JSON.stringify(two.from) === JSON.stringify(one.from),
          connectOnce,
          "the second request came from the first's socket",
        );
        // The first one's late reply, to where the first request came from
        // (a socket closed already when it was replaced).
        if (connectOnce) await peer.send(reply(1), one.from as Address);
        else await peer.send(reply(2), two.from as Address);
        const got = await pending;
        // Kept, the socket hears the late reply first: kamcmd's "cookie doesn't match".
        assert.equal(got.foreign, connectOnce ? true : undefined);
      } finally {
        await session.close();
      }
    }
  } finally {
    await peer.close();
  }
});

test("openSession() binds its UNIX datagram socket at replySocket", async () => {
  const transport = createMemoryTransport();
  const peer = await transport.bind({ kind: "unix", path: "/ctld" });
  const session = openSession(peer.address, {
    transport,
    codec: binrpc,
    timeoutMs: 2000,
    replySocket: "/kamcmd_reply",
  });
  try {
    const pending = session.call(request(3));
    const { from } = await receiveWithin(peer, 2000);
    assert.deepEqual(from, { kind: "unix", path: "/kamcmd_reply" });
    await peer.send(reply(3), from as Address);
    assert.deepEqual((await pending).outcome, { kind: "result", value: ["ok"] });
  } finally {
    await session.close();
    await peer.close();
  }
  // Closed, the path is free again.
  const again = await transport.bind({ kind: "unix", path: "/kamcmd_reply" });
  await again.close();
});

test("openSession() traces the request sent and each piece of the reply as read", async () => {
  const transport = createMemoryTransport();
  const listener = await transport.listenStream({ kind: "unix-stream", path: "/ctl" });
  const events: CallEvent[] = [];
  const session = openSession(listener.address, {
    transport,
    codec: binrpc,
    timeoutMs: 2000,
    trace: (event) => events.push(event),
  });
  let connection: StreamConnection | undefined;
  try {
    const accepted = listener.accept();
    const pending = session.call(request(4));
    connection = await accepted;
    assert.ok(await connection.read());
    const whole = reply(4, "in two pieces");
    await connection.write(whole.subarray(0, 5));
    // The second piece only once the first was read: two reads.
    await until(() => events.some((e) => e.kind === "read"), "the first piece read");
    await connection.write(whole.subarray(5));
    await pending;
    assert.deepEqual(events.map((e) => e.kind), ["sent", "read", "read"]);
    assert.deepEqual(events[0], { kind: "sent", bytes: request(4) });
    assert.deepEqual(
      events.slice(1).map((e) => e.kind === "read" ? e.chunk.length : 0),
      [5, whole.length - 5],
    );
  } finally {
    await session.close();
    await connection?.close();
    await listener.close();
  }
});
