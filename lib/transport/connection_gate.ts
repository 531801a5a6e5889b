/**
 * What every connection-oriented listener (UNIX stream, TCP, HTTP) does with
 * a new connection before it reads a byte: the peer allow-list and the cap
 * on open connections, written once beside the transport interface.
 *
 * @module
 */
import type { AnyAddress, TcpAddress } from "./types.ts";

/** Connections a listener keeps open at once, by default. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/**
 * How long a connection may wait for its next byte, by default: the first
 * byte of a request, the rest of one, or the next request.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 5000;

/** Why a connection was closed at once. */
export type RefusalCause = "denied" | "too-many";

/** Options of {@linkcode ConnectionGate}. */
export interface ConnectionGateOptions {
  /** Connections open at once; more are closed at once. Default {@linkcode DEFAULT_MAX_CONNECTIONS}. */
  maxConnections?: number;
  /** Whether a peer may connect (the allow-list); default: every peer. */
  admits?: (peer: AnyAddress | null) => boolean;
  /** Told of every connection closed at once, and why. */
  onRefused?: (cause: RefusalCause, peer: AnyAddress | null) => void;
}

/**
 * Admits or refuses a listener's new connections: a peer outside the
 * allow-list, or one more than `maxConnections` open at once, is refused
 * (the listener closes it at once, before reading anything).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionGate } from "./connection_gate.ts";
 * const refused: string[] = [];
 * const gate = new ConnectionGate({ maxConnections: 1, onRefused: (cause) => refused.push(cause) });
 * const peer = { kind: "tcp" as const, host: "127.0.0.1", port: 5000 };
 * assert.equal(gate.enter(peer), true);
 * assert.equal(gate.enter(peer), false);
 * gate.leave();
 * assert.equal(gate.enter(peer), true);
 * assert.deepEqual(refused, ["too-many"]);
 * ```
 */
export class ConnectionGate {
  /** Connections admitted and not yet left. */
  open = 0;
  private readonly maxConnections: number;

  private readonly options: ConnectionGateOptions;

  constructor(options: ConnectionGateOptions = {}) {
    this.options = options;
    this.maxConnections = Math.max(1, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  }

  /** Whether a new connection from `peer` may stay; `true` counts it open until {@linkcode leave}. */
  enter(peer: AnyAddress | null): boolean {
    let cause: RefusalCause | null = null;
    if (this.options.admits && !this.options.admits(peer)) cause = "denied";
    else if (this.open >= this.maxConnections) cause = "too-many";
    if (cause !== null) {
      this.options.onRefused?.(cause, peer);
      return false;
    }
    this.open++;
    return true;
  }

  /** An admitted connection has closed. */
  leave(): void {
    if (this.open > 0) this.open--;
  }
}

/** The part of a `node:net` / `node:http` server that {@linkcode gateConnections} uses. */
export interface ConnectionEvents {
  on(
    event: "connection",
    listener: (socket: {
      readonly remoteAddress?: string;
      readonly remotePort?: number;
      destroy(): void;
      once(event: "close", listener: () => void): unknown;
    }) => void,
  ): unknown;
}

/** The peer of a `node:net` socket (HTTP's included), or `null` when the runtime does not tell it. */
export function tcpPeerOf(
  socket: { remoteAddress?: string; remotePort?: number },
): TcpAddress | null {
  return socket.remoteAddress === undefined
    ? null
    : { kind: "tcp", host: socket.remoteAddress, port: socket.remotePort ?? 0 };
}

/**
 * Puts a gate in front of a `node:net` or `node:http` server (Node and Deno
 * alike): each new connection is admitted, or destroyed before it is read.
 */
export function gateConnections(server: ConnectionEvents, gate: ConnectionGate): void {
  server.on("connection", (socket) => {
    if (!gate.enter(tcpPeerOf(socket))) {
      socket.destroy();
      return;
    }
    socket.once("close", () => gate.leave());
  });
}
