/**
 * Waiting in tests: every wait is bounded and, when the bound passes, fails
 * with what it waited for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { receiveWithin, until } from "./wait.ts";
 * import { createMemoryTransport } from "../memory.ts";
 * const net = createMemoryTransport();
 * const server = await net.bind({ kind: "unix", path: "/wait.sock" });
 * const client = await net.connectable(server.address);
 * let sent = false;
 * client.send(new TextEncoder().encode("ping"), server.address).then(() => (sent = true));
 * await until(() => sent, "the datagram to be sent");
 * assert.equal(new TextDecoder().decode((await receiveWithin(server, 1000)).data), "ping");
 * await assert.rejects(receiveWithin(server, 10), /no datagram within 10 ms/);
 * await client.close();
 * await server.close();
 * ```
 *
 * @module
 */
import type { Datagram, DatagramSocket } from "../types.ts";

/**
 * Checks `check` every few milliseconds until it holds; rejects with
 * `timed out waiting for WHAT` after `ms` (default 10 s).
 */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The next datagram on `socket`, at most `ms` later (default 5 s); rejects
 * with `no datagram within MS ms` otherwise. The timer is always cleared.
 */
export async function receiveWithin(socket: DatagramSocket, ms = 5000): Promise<Datagram> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no datagram within ${ms} ms`)), ms);
  try {
    return await socket.receive(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
