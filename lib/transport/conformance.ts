/**
 * The transport conformance suite: written once, run against every adapter
 * (Deno, Node, in-memory). Registers `node:test` tests.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address, DatagramSocket, Transport } from "./types.ts";

/** Options of {@linkcode runTransportSuite}. */
export interface TransportSuiteOptions {
  name: string;
  open: () => Transport;
  /** Parts to skip: a string says why (shown by the test runner). */
  skip?: {
    unix?: string;
    udp4?: string;
    udp6?: string;
    files?: string;
    all?: string;
    /** The stream suite (UNIX stream and TCP) as a whole. */
    stream?: string;
    /** The bounded backlog of sends to a UNIX peer that never reads. */
    backlog?: string;
    /** The test of a connection that the peer never completes. */
    connectTimeout?: string;
  };
}

import { codeOf, decode, encode, rejectsWith, withTimeout } from "./_conformance_helpers.ts";
import { runStreamSuite } from "./conformance_stream.ts";
import { runRequestSuite } from "./conformance_requests.ts";

/**
 * Registers the conformance tests for one transport.
 *
 * @example
 * ```ts ignore
 * import { runTransportSuite } from "./conformance.ts";
 * import { createMemoryTransport } from "./memory.ts";
 * runTransportSuite({ name: "memory", open: createMemoryTransport, skip: { files: "no files" } });
 * ```
 */
export function runTransportSuite(options: TransportSuiteOptions): void {
  const { name, open } = options;
  const skip = options.skip ?? {};
  const files = !!(skip.unix || skip.files);
  let dir = "";
  const tempDir = () => (dir ||= mkdtempSync(join(tmpdir(), `midgram-${name}-`)));
  const cleanup = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = "";
  };

  const kinds: [string, () => Address, string | undefined][] = [
    [
      "UNIX",
      () => ({
        kind: "unix",
        path: join(tempDir(), `s${Math.random().toString(36).slice(2)}.sock`),
      }),
      skip.unix,
    ],
    ["UDP v4", () => ({ kind: "udp", host: "127.0.0.1", port: 0 }), skip.udp4],
    ["UDP v6", () => ({ kind: "udp", host: "::1", port: 0 }), skip.udp6],
  ];

  /**
   * A socket bound at `where()` and a client for it, on a fresh transport;
   * both closed and the temporary directory removed after `fn`.
   */
  const withPair = async (
    where: () => Address,
    fn: (server: DatagramSocket, client: DatagramSocket) => Promise<void>,
  ): Promise<void> => {
    const transport = open();
    const server = await transport.bind(where());
    const client = await transport.connectable(server.address);
    try {
      await fn(server, client);
    } finally {
      await client.close();
      await server.close();
      cleanup();
    }
  };

  for (const [kind, where, why] of kinds) {
    test(
      `${name} transport: ${kind} request and reply round trip`,
      { skip: skip.all ?? why },
      () =>
        withPair(where, async (server, client) => {
          await client.send(encode(":version:\n"), server.address);
          const request = await withTimeout(server.receive());
          assert.equal(decode(request.data), ":version:\n");
          assert.ok(request.from, "the sender has an address to reply to");
          await server.send(encode("200 OK\n\n"), request.from);
          const reply = await withTimeout(client.receive());
          assert.equal(decode(reply.data), "200 OK\n\n");
        }),
    );

    test(`${name} transport: ${kind} receive(signal) abort loses no datagram`, {
      skip: skip.all ?? why,
    }, () =>
      withPair(where, async (server, client) => {
        const controller = new AbortController();
        const first = server.receive(controller.signal);
        controller.abort(new Error("stop"));
        await assert.rejects(first, /stop/);
        await client.send(encode("kept"), server.address);
        assert.equal(decode((await withTimeout(server.receive())).data), "kept");
      }));

    test(`${name} transport: ${kind} close() rejects a pending receive with "closed"`, {
      skip: skip.all ?? why,
    }, async () => {
      const transport = open();
      try {
        const server = await transport.bind(where());
        const pending = server.receive().then(() => null, (error: unknown) => error);
        await server.close();
        assert.equal(codeOf(await withTimeout(pending)), "closed");
        await server.close(); // idempotent
      } finally {
        cleanup();
      }
    });

    test(
      `${name} transport: ${kind} carries 65457 bytes whole`,
      { skip: skip.all ?? why },
      () =>
        withPair(where, async (server, client) => {
          const big = new Uint8Array(65457).fill(0x61);
          await client.send(big, server.address);
          const got = await withTimeout(server.receive());
          assert.equal(got.data.length, 65457);
        }),
    );
  }

  test(`${name} transport: a UNIX datagram over 65457 bytes arrives longer than the limit`, {
    skip: skip.all ?? skip.unix,
  }, () =>
    withPair(kinds[0][1], async (server, client) => {
      await client.send(new Uint8Array(70000).fill(0x62), server.address);
      const got = await withTimeout(server.receive());
      assert.ok(got.data.length > 65457, `got ${got.data.length} bytes`);
    }));

  test(`${name} transport: sends to a UNIX peer that never reads wait in a bounded backlog`, {
    skip: skip.all ?? skip.unix ?? skip.backlog,
  }, async () => {
    const transport = open();
    const server = await transport.bind(kinds[0][1]()); // never reads
    const client = await transport.connectable(server.address);
    const big = new Uint8Array(60_000).fill(0x61);
    let firstFailure: (error: unknown) => void = () => {};
    const failed = new Promise<unknown>((resolve) => firstFailure = resolve);
    const sends = Array.from(
      { length: 200 },
      () =>
        client.send(big, server.address, { timeoutMs: 60_000 }).then(() => "sent", (error) => {
          firstFailure(error);
          return error;
        }),
    );
    try {
      // 12 MB for a peer whose queue holds a few datagrams: past 4 MiB
      // waiting, a send fails at once instead of holding its bytes 60 s.
      const error = await withTimeout(failed, 5000);
      assert.equal(codeOf(error), "timeout");
      assert.match(String(error), /do not read/);
    } finally {
      await withTimeout(client.close(), 5000);
    }
    try {
      const outcomes = await withTimeout(Promise.all(sends), 5000);
      const dropped = outcomes.filter((o) => /do not read/.test(String(o))).length;
      assert.ok(dropped >= 100, `only ${dropped} of 200 sends dropped`);
    } finally {
      await withTimeout(server.close(), 5000);
      cleanup();
    }
  });

  test(`${name} transport: trySend() sends at once or says false, never throws`, {
    skip: skip.all ?? skip.unix,
  }, async (t) => {
    const transport = open();
    const server = await transport.bind(kinds[0][1]()); // never reads
    const client = await transport.connectable(server.address);
    try {
      if (!client.trySend) {
        t.skip(`the ${name} transport has no trySend (optional)`);
        return;
      }
      const missing: Address = { kind: "unix", path: join(tempDir(), "missing.sock") };
      assert.equal(client.trySend(Uint8Array.of(1), missing), false);
      assert.equal(client.trySend(Uint8Array.of(2), server.address), true);
      assert.deepEqual([...(await withTimeout(server.receive(), 5000)).data], [2]);
      // Fill the peer's queue: a send that cannot go out at once is false.
      const big = new Uint8Array(60_000);
      let sent = 0;
      while (sent < 10_000 && client.trySend(big, server.address)) sent++;
      assert.ok(sent < 10_000, "the peer's queue never filled");
      await client.close();
      assert.equal(client.trySend(Uint8Array.of(3), server.address), false, "closed");
    } finally {
      await withTimeout(client.close(), 5000);
      await withTimeout(server.close(), 5000);
      cleanup();
    }
  });

  test(`${name} transport: sending to a missing UNIX path is "not-found"`, {
    skip: skip.all ?? skip.unix,
  }, async () => {
    const transport = open();
    const target: Address = { kind: "unix", path: join(tempDir(), "missing.sock") };
    const client = await transport.connectable(target);
    try {
      const error = await rejectsWith(client.send(encode(":x:\n"), target), ["not-found"]);
      assert.ok(error.message.includes(target.path), error.message);
    } finally {
      await client.close();
      cleanup();
    }
  });

  test(`${name} transport: binding an address in use is "address-in-use"`, {
    skip: skip.all ?? skip.unix,
  }, async () => {
    const transport = open();
    const address = kinds[0][1]();
    const server = await transport.bind(address);
    try {
      await rejectsWith(transport.bind(address), ["address-in-use"]);
    } finally {
      await server.close();
      cleanup();
    }
  });

  test(`${name} transport: UNIX socket files are made safely and removed on close`, {
    skip: skip.all ?? (files ? "no files" : undefined),
  }, async () => {
    const transport = open();
    const base = tempDir();
    try {
      const path = join(base, "mi.sock");
      const server = await transport.bind({ kind: "unix", path }, { mode: 0o640 });
      assert.equal(statSync(path).mode & 0o777, 0o640);
      await server.close();
      assert.equal(existsSync(path), false, "close() removes the socket file");

      const file = join(base, "regular");
      writeFileSync(file, "precious");
      await rejectsWith(transport.bind({ kind: "unix", path: file }), ["not-a-socket"]);
      assert.equal(existsSync(file), true, "a regular file is never deleted");

      const link = join(base, "link.sock");
      symlinkSync(join(base, "elsewhere.sock"), link);
      await rejectsWith(transport.bind({ kind: "unix", path: link }), ["unsafe-path"]);

      // A stale socket (nobody serves it) is replaced; a live one is not.
      const stalePath = join(base, "stale.sock");
      const first = await transport.bind({ kind: "unix", path: stalePath });
      const second = transport.bind({ kind: "unix", path: stalePath });
      await rejectsWith(second, ["address-in-use"]);
      await first.close();
      const staleMaker = await transport.bind({ kind: "unix", path: stalePath });
      // Simulate a crash: the fd closes, the file stays.
      const copy = join(base, "stale2.sock");
      (await import("node:fs")).renameSync(stalePath, copy);
      await staleMaker.close();
      (await import("node:fs")).renameSync(copy, stalePath);
      const replacing = await transport.bind({ kind: "unix", path: stalePath });
      await replacing.close();
    } finally {
      cleanup();
    }
  });

  test(`${name} transport: a client's UNIX reply socket and directory go away on close`, {
    skip: skip.all ?? (files ? "no files" : undefined),
  }, async () => {
    const transport = open();
    const client: DatagramSocket = await transport.connectable({
      kind: "unix",
      path: "/nonexistent.sock",
    });
    const path = (client.address as { path: string }).path;
    // No server socket to let in: nobody else may reach the reply socket.
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(path, "..")).mode & 0o777, 0o700);
    await client.close();
    assert.equal(existsSync(join(path, "..")), false);
  });

  runStreamSuite(options);
  runRequestSuite(options);
}
