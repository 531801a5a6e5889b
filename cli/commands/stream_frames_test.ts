/**
 * One stream framer with one limit ({@linkcode MAX_FRAME}) for `send`
 * (`lib/client`) and `kamcmd` alike, against a binrpc server on a real TCP
 * socket that answers with a reply of a chosen size.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { call } from "../../lib/client/call.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import { frame } from "../../lib/protocol/binrpc/frame.ts";
import { readPacket } from "../../lib/protocol/binrpc/read_packet.ts";
import { writePacket } from "../../lib/protocol/binrpc/write_packet.ts";
import { writeRecords } from "../../lib/protocol/binrpc/write_records.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { FrameReader, MAX_FRAME } from "../../lib/transport/read_frames.ts";
import type { TcpAddress } from "../../lib/transport/types.ts";
import { withTimeout } from "../../lib/transport/_conformance_helpers.ts";
import { openKamcmdLink } from "./_kamcmd_link.ts";

/** A binrpc server on loopback TCP answering every request with `reply(cookie)`. */
async function serveReplies(reply: (cookie: number) => Uint8Array) {
  const transport = defaultTransport();
  const listener = await transport.listenStream({ kind: "tcp", host: "127.0.0.1", port: 0 });
  const serving = (async () => {
    const connection = await listener.accept();
    try {
      const reader = new FrameReader(connection, (b) => frame(b));
      while (true) {
        const packet = await reader.next();
        if (packet === null) return;
        await connection.write(reply(readPacket(packet).cookie), { timeoutMs: 5000 });
      }
    } catch {
      // The client went away.
    } finally {
      await connection.close();
    }
  })();
  return {
    address: listener.address as TcpAddress,
    async close() {
      await listener.close();
      await serving;
    },
  };
}

/** A reply of one string of `size` bytes. */
const bigReply = (size: number) => (cookie: number) =>
  writePacket({ type: "reply", cookie, body: writeRecords(["x".repeat(size)]) });

/** A reply header announcing `length` body bytes, then only a few of them. */
const liarReply = (length: number) => (cookie: number) => {
  const whole = writePacket({ type: "reply", cookie, body: new Uint8Array(length) });
  return whole.subarray(0, whole.length - length + 16);
};

const REQUEST = { method: "core.version", params: { kind: "positional" as const, values: [] } };

test("send takes a binrpc stream reply over 64 KiB, up to the one stream limit", async () => {
  const server = await serveReplies(bigReply(200_000));
  try {
    const reply = await withTimeout(call(server.address, REQUEST, {
      transport: defaultTransport(),
      codec: clientCodec("binrpc"),
      timeoutMs: 5000,
    }));
    assert.equal(reply.outcome?.kind, "result");
    assert.ok(reply.bytes.length > 200_000);
  } finally {
    await server.close();
  }
});

test("send refuses a binrpc stream reply over the limit with reply-too-large (exit 5)", async () => {
  const server = await serveReplies(liarReply(MAX_FRAME + 1));
  try {
    await assert.rejects(
      call(server.address, REQUEST, {
        transport: defaultTransport(),
        codec: clientCodec("binrpc"),
        timeoutMs: 5000,
      }),
      (e: { code?: string; exitCode?: number }) => e.code === "reply-too-large" && e.exitCode === 5,
    );
  } finally {
    await server.close();
  }
});

test("kamcmd reads through the same framer with the same limit", async () => {
  const request = clientCodec("binrpc").encodeRequest("core.version", REQUEST.params, 7);
  for (
    const [reply, whole] of [[bigReply(200_000), true], [liarReply(MAX_FRAME + 1), false]] as const
  ) {
    const server = await serveReplies(reply);
    const link = await openKamcmdLink(
      { proto: "tcp", name: "127.0.0.1", port: server.address.port },
      { transport: defaultTransport(), timeoutMs: 5000 },
    );
    try {
      const { packet, reads } = await withTimeout(link.exchange(request));
      assert.ok(reads.length > 0);
      if (whole) {
        assert.ok(readPacket(packet).body.length > 200_000);
      } else {
        // Over the limit: the bytes read are handed over for kamcmd to report.
        assert.ok(packet.length < MAX_FRAME);
      }
    } finally {
      await link.close();
      await server.close();
    }
  }
});
