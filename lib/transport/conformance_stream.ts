/**
 * The stream half of the transport conformance suite (UNIX stream and TCP),
 * run by `runTransportSuite` against every adapter.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import {
  existsSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatAddress } from "./address.ts";
import { codeOf, decode, encode, rejectsWith, withTimeout } from "./_conformance_helpers.ts";
import type { TransportSuiteOptions } from "./conformance.ts";
import { readFrames } from "./read_frames.ts";
import type {
  StreamAddress,
  StreamConnection,
  StreamListener,
  Transport,
  UnixStreamAddress,
} from "./types.ts";

/** A packet with a one-byte length prefix, the simplest framing to test the framer with. */
const lengthPrefixed = (buffer: Uint8Array) => buffer.length === 0 ? 0 : 1 + buffer[0];
const packet = (text: string) => new Uint8Array([text.length, ...encode(text)]);

async function readAll(connection: StreamConnection): Promise<string> {
  let text = "";
  for (
    let chunk = await withTimeout(connection.read());
    chunk;
    chunk = await withTimeout(connection.read())
  ) {
    text += decode(chunk);
  }
  return text;
}

/** A pair of connected ends, closed with the listener by `close()`. */
async function pair(transport: Transport, address: StreamAddress) {
  const listener = await transport.listenStream(address);
  const client = await transport.connectStream(listener.address);
  const server = await withTimeout(listener.accept());
  return {
    listener,
    client,
    server,
    async close() {
      await client.close();
      await server.close();
      await listener.close();
    },
  };
}

/**
 * A TCP port whose listen queue is full, so that a connection to it is never
 * completed: a python3 child listens with a backlog of 0 and never accepts,
 * and one connection fills the queue. `null` without python3.
 */
async function unansweredPort(): Promise<{ port: number; close(): void } | null> {
  const child = spawn("python3", [
    "-c",
    "import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\n" +
    "print(s.getsockname()[1],flush=True)\nsys.stdin.read()",
  ], { stdio: ["pipe", "pipe", "ignore"] });
  const port = await withTimeout(
    new Promise<number | null>((resolve) => {
      child.once("error", () => resolve(null));
      child.stdout!.once("data", (data) => resolve(Number(String(data).trim())));
      child.once("exit", () => resolve(null));
    }),
  );
  if (port === null) return null;
  const filler = net.connect({ host: "127.0.0.1", port });
  await withTimeout(new Promise((resolve) => filler.once("connect", resolve)));
  return {
    port,
    close() {
      filler.destroy();
      child.stdin!.end();
      child.kill();
    },
  };
}

/** Registers the stream tests for one transport. */
export function runStreamSuite(options: TransportSuiteOptions): void {
  const { name, open } = options;
  const skip = options.skip ?? {};
  const skipAll = skip.all ?? skip.stream;
  const noFiles = skip.unix ?? skip.files;
  let dir = "";
  const tempDir = () => (dir ||= mkdtempSync(join(tmpdir(), `midgram-${name}-stream-`)));
  const cleanup = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = "";
  };
  const unixStream = (): UnixStreamAddress => ({
    kind: "unix-stream",
    path: join(tempDir(), `s${Math.random().toString(36).slice(2)}.sock`),
  });

  const kinds: [string, () => StreamAddress, string | undefined][] = [
    ["UNIX stream", unixStream, skip.unix],
    ["TCP v4", () => ({ kind: "tcp", host: "127.0.0.1", port: 0 }), skip.udp4],
    ["TCP v6", () => ({ kind: "tcp", host: "::1", port: 0 }), skip.udp6],
  ];

  for (const [kind, where, why] of kinds) {
    const opts = { skip: skipAll ?? why };

    test(`${name} transport: ${kind} echo round trip and end of stream`, opts, async () => {
      const c = await pair(open(), where());
      try {
        assert.equal(c.listener.address.kind, where().kind);
        if (c.listener.address.kind === "tcp") assert.ok(c.listener.address.port > 0);
        assert.deepEqual(c.client.peer, c.listener.address);
        await c.client.write(encode(":version:\n"));
        assert.equal(decode((await withTimeout(c.server.read()))!), ":version:\n");
        await c.server.write(encode("200 OK\n"));
        await c.server.close();
        assert.equal(await readAll(c.client), "200 OK\n", "bytes written before close arrive");
        assert.equal(await withTimeout(c.client.read()), null, "EOF stays EOF");
      } finally {
        await c.close();
        cleanup();
      }
    });

    test(
      `${name} transport: ${kind} closeWrite() ends the client's half; the reply still arrives`,
      opts,
      async () => {
        const c = await pair(open(), where());
        try {
          await c.client.write(encode(":core.version:\n\n"));
          await c.client.closeWrite();
          assert.equal(await readAll(c.server), ":core.version:\n\n", "the server reads the end");
          await c.server.write(encode("200 OK\n"));
          await c.server.close();
          assert.equal(await readAll(c.client), "200 OK\n");
        } finally {
          await c.close();
          cleanup();
        }
      },
    );

    test(
      `${name} transport: ${kind} packets in pieces and two in one write, through readFrames`,
      opts,
      async () => {
        const c = await pair(open(), where());
        try {
          const first = packet("first");
          // A packet in three writes, then the end of one and a whole other in one write.
          await c.client.write(first.subarray(0, 1));
          await c.client.write(first.subarray(1, 3));
          await c.client.write(new Uint8Array([...first.subarray(3), ...packet("second")]));
          await c.client.write(new Uint8Array([...packet("third"), ...packet("fourth")]));
          await c.client.close();
          const got: string[] = [];
          for await (const p of readFrames(c.server, lengthPrefixed)) {
            got.push(decode(p.subarray(1)));
          }
          assert.deepEqual(got, ["first", "second", "third", "fourth"]);
        } finally {
          await c.close();
          cleanup();
        }
      },
    );

    test(
      `${name} transport: ${kind} closing the listener leaves accepted connections open`,
      opts,
      async () => {
        const c = await pair(open(), where());
        try {
          // close() must not wait for the accepted connection to end.
          await withTimeout(c.listener.close());
          if (c.listener.address.kind === "unix-stream") {
            assert.equal(existsSync(c.listener.address.path), false, "the socket file is gone");
          }
          await rejectsWith(open().connectStream(c.listener.address), [
            "connection-refused",
            "not-found",
          ]);
          await c.client.write(encode("ping"));
          assert.equal(decode((await withTimeout(c.server.read()))!), "ping");
          await c.server.write(encode("pong"));
          assert.equal(decode((await withTimeout(c.client.read()))!), "pong");
        } finally {
          await c.close();
          cleanup();
        }
      },
    );

    test(`${name} transport: ${kind} readFrames bounds the bytes it buffers`, opts, async () => {
      const c = await pair(open(), where());
      try {
        await c.client.write(new Uint8Array([200, 1, 2, 3]));
        const frames = readFrames(c.server, lengthPrefixed, { maxPacket: 100 });
        const error = await rejectsWith(frames.next(), ["request-too-large"]);
        assert.match(error.message, /201 bytes, more than the limit of 100/);
        // The stream ending inside a packet is an error too.
        await c.client.write(new Uint8Array([9, 1]));
        await c.client.close();
        await rejectsWith(
          readFrames(c.server, lengthPrefixed).next(),
          ["closed"],
        );
      } finally {
        await c.close();
        cleanup();
      }
    });

    test(
      `${name} transport: ${kind} close() rejects a pending read and accept with "closed"`,
      opts,
      async () => {
        const c = await pair(open(), where());
        try {
          const reading = c.server.read().then(() => null, (error: unknown) => error);
          await c.server.close();
          assert.equal(codeOf(await withTimeout(reading)), "closed");
          await rejectsWith(c.server.read(), ["closed"]);
          await rejectsWith(c.server.write(encode("x")), ["closed"]);
          await c.server.close(); // idempotent
          assert.equal(await withTimeout(c.client.read()), null, "the peer sees the end");

          const accepting = c.listener.accept().then(() => null, (error: unknown) => error);
          await c.listener.close();
          assert.equal(codeOf(await withTimeout(accepting)), "closed");
          await c.listener.close(); // idempotent
        } finally {
          await c.close();
          cleanup();
        }
      },
    );

    test(`${name} transport: ${kind} an aborted read or accept loses nothing`, opts, async () => {
      const transport = open();
      const c = await pair(transport, where());
      try {
        const controller = new AbortController();
        const reading = c.server.read(controller.signal);
        controller.abort(new Error("stop"));
        await assert.rejects(reading, /stop/);
        await c.client.write(encode("kept"));
        assert.equal(decode((await withTimeout(c.server.read()))!), "kept");

        const again = new AbortController();
        const accepting = c.listener.accept(again.signal);
        again.abort(new Error("stop"));
        await assert.rejects(accepting, /stop/);
        const late = await transport.connectStream(c.listener.address);
        const accepted = await withTimeout(c.listener.accept());
        await late.write(encode("late"));
        await late.close();
        assert.equal(await readAll(accepted), "late");
        await accepted.close();
      } finally {
        await c.close();
        cleanup();
      }
    });

    test(`${name} transport: ${kind} a write the peer does not read times out`, opts, async () => {
      const c = await pair(open(), where());
      try {
        const big = new Uint8Array(64 << 20);
        const error = await rejectsWith(c.client.write(big, { timeoutMs: 300 }), ["timeout"]);
        assert.ok(error.message.includes(formatAddress(c.listener.address)), error.message);
        await rejectsWith(c.client.write(encode("x")), ["closed"]);
      } finally {
        await c.close();
        cleanup();
      }
    });
  }

  test(`${name} transport: connecting where nobody listens is refused, naming the address`, {
    skip: skipAll ?? skip.udp4,
  }, async () => {
    const transport = open();
    const listener = await transport.listenStream({ kind: "tcp", host: "127.0.0.1", port: 0 });
    const address = listener.address;
    await listener.close();
    const error = await rejectsWith(transport.connectStream(address), ["connection-refused"]);
    assert.ok(error.message.includes(`"${formatAddress(address)}"`), error.message);
  });

  test(`${name} transport: connecting to a missing UNIX stream path is "not-found"`, {
    skip: skipAll ?? skip.unix,
  }, async () => {
    try {
      const address = unixStream();
      const error = await rejectsWith(open().connectStream(address), ["not-found"]);
      assert.ok(error.message.includes(address.path), error.message);
    } finally {
      cleanup();
    }
  });

  test(`${name} transport: connectStream() gives up when the signal aborts`, {
    skip: skipAll ?? skip.udp4,
  }, async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await assert.rejects(
      open().connectStream({ kind: "tcp", host: "127.0.0.1", port: 9 }, {
        signal: controller.signal,
      }),
      /stop/,
    );
  });

  test(`${name} transport: a connection never completed times out`, {
    skip: skipAll ?? skip.connectTimeout,
  }, async (t) => {
    const peer = await unansweredPort();
    if (!peer) {
      t.skip("needs python3 for a listener that never accepts");
      return;
    }
    try {
      const address: StreamAddress = { kind: "tcp", host: "127.0.0.1", port: peer.port };
      const error = await rejectsWith(
        open().connectStream(address, { timeoutMs: 200 }),
        ["timeout"],
      );
      assert.match(error.message, /no connection within 200 ms/);
      assert.ok(error.message.includes(formatAddress(address)), error.message);
    } finally {
      peer.close();
    }
  });

  test(`${name} transport: listening on an address in use is "address-in-use"`, {
    skip: skipAll ?? skip.udp4,
  }, async () => {
    const transport = open();
    const listener = await transport.listenStream({ kind: "tcp", host: "127.0.0.1", port: 0 });
    try {
      await rejectsWith(transport.listenStream(listener.address), ["address-in-use"]);
    } finally {
      await listener.close();
    }
  });

  test(`${name} transport: UNIX stream socket files are made safely and removed on close`, {
    skip: skipAll ?? (noFiles ? "no files" : undefined),
  }, async () => {
    const transport = open();
    const base = tempDir();
    const closeLater: StreamListener[] = [];
    try {
      const path = join(base, "ctl.sock");
      const listener = await transport.listenStream({ kind: "unix-stream", path }, {
        mode: 0o640,
      });
      assert.equal(statSync(path).mode & 0o777, 0o640);
      // A live socket is refused.
      await rejectsWith(
        transport.listenStream({ kind: "unix-stream", path }),
        ["address-in-use"],
      );
      await listener.close();
      assert.equal(existsSync(path), false, "close() removes the socket file");

      const file = join(base, "regular");
      writeFileSync(file, "precious");
      await rejectsWith(transport.listenStream({ kind: "unix-stream", path: file }), [
        "not-a-socket",
      ]);
      assert.equal(existsSync(file), true, "a regular file is never deleted");

      const link = join(base, "link.sock");
      symlinkSync(join(base, "elsewhere.sock"), link);
      await rejectsWith(transport.listenStream({ kind: "unix-stream", path: link }), [
        "unsafe-path",
      ]);

      // A stale socket (nobody serves it) is replaced.
      const stale = join(base, "stale.sock");
      const maker = await transport.listenStream({ kind: "unix-stream", path: stale });
      renameSync(stale, `${stale}.moved`);
      await maker.close();
      renameSync(`${stale}.moved`, stale);
      const replacing = await transport.listenStream({ kind: "unix-stream", path: stale });
      closeLater.push(replacing);
      const client = await transport.connectStream(replacing.address);
      await client.close();

      // A datagram socket is of the other type: refused, never replaced, either way round.
      const dgramPath = join(base, "dgram.sock");
      const dgram = await transport.bind({ kind: "unix", path: dgramPath });
      try {
        const error = await rejectsWith(
          transport.listenStream({ kind: "unix-stream", path: dgramPath }),
          ["not-a-socket"],
        );
        assert.match(error.message, /datagram socket is there/);
        assert.ok(existsSync(dgramPath));
        await rejectsWith(
          transport.connectStream({ kind: "unix-stream", path: dgramPath }),
          ["not-a-socket"],
        );
      } finally {
        await dgram.close();
      }
      const streamPath = join(base, "stream.sock");
      closeLater.push(await transport.listenStream({ kind: "unix-stream", path: streamPath }));
      const error = await rejectsWith(
        transport.bind({ kind: "unix", path: streamPath }),
        ["not-a-socket"],
      );
      assert.match(error.message, /stream socket is there/);
      assert.ok(existsSync(streamPath));
    } finally {
      for (const l of closeLater) await l.close();
      cleanup();
    }
  });
}
