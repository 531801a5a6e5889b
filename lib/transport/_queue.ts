/**
 * A bounded queue of received datagrams with one waiting reader at a time,
 * used by the adapters whose runtime pushes datagrams at them (Node, memory).
 *
 * @module
 */
import type { Datagram } from "./types.ts";
import { WaitingReader } from "./_waiting_reader.ts";

/** Datagrams kept before the oldest unread ones are dropped. */
export const QUEUE_LIMIT = 4096;
/** Bytes of unread datagrams kept before the oldest are dropped, so a burst cannot grow memory. */
export const QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Bytes of outgoing datagrams a socket keeps waiting for full peers (a
 * client that does not read its replies). Past it a send that would have to
 * wait fails at once: a flood of requests from clients that never read
 * cannot make the server hold their replies.
 */
export const BACKLOG_BYTES = 4 * 1024 * 1024;

/** Counts the bytes of sends waiting for a full peer, up to {@linkcode BACKLOG_BYTES}. */
export class SendBacklog {
  /** Bytes waiting now. */
  bytes = 0;
  private readonly limit: number;

  constructor(limit = BACKLOG_BYTES) {
    this.limit = limit;
  }
  /** Takes `n` bytes of the allowance, or returns false when it is used up. */
  reserve(n: number): boolean {
    if (this.bytes + n > this.limit) return false;
    this.bytes += n;
    return true;
  }
  /** Gives `n` reserved bytes back. */
  release(n: number): void {
    this.bytes -= n;
  }
}

/** A queue with `push` for the runtime side and `next(signal)` for the reader. */
export class DatagramQueue {
  private readonly items: Datagram[] = [];
  private readonly reader = new WaitingReader<Datagram>();
  private failure: unknown = null;
  private bytes = 0;
  /** Datagrams dropped because the reader fell behind. */
  dropped = 0;

  /** Hands a datagram to the waiting reader, or keeps it. */
  push(datagram: Datagram): void {
    if (this.reader.resolve(datagram)) return;
    while (
      this.items.length > 0 &&
      (this.items.length >= QUEUE_LIMIT || this.bytes + datagram.data.length > QUEUE_BYTES)
    ) {
      this.bytes -= this.items.shift()!.data.length;
      this.dropped++;
    }
    this.items.push(datagram);
    this.bytes += datagram.data.length;
  }

  /** Fails the waiting reader and every later call (the socket closed). */
  fail(error: unknown): void {
    this.failure = error;
    this.reader.stop();
    this.reader.reject(error);
  }

  /** The next datagram; rejects with the signal's reason on abort (nothing is lost). */
  next(signal?: AbortSignal): Promise<Datagram> {
    if (this.items.length > 0) {
      const datagram = this.items.shift()!;
      this.bytes -= datagram.data.length;
      return Promise.resolve(datagram);
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.reader.waiting) {
      return Promise.reject(new TypeError("Only one receive() may be pending"));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.reader.wait(signal);
  }
}
