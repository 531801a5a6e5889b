/**
 * A bounded queue of received datagrams with one waiting reader at a time,
 * used by the adapters whose runtime pushes datagrams at them (Node, memory).
 *
 * @module
 */
import type { Datagram } from "./types.ts";

/** Datagrams kept before the oldest unread ones are dropped. */
export const QUEUE_LIMIT = 4096;
/** Bytes of unread datagrams kept before the oldest are dropped, so a burst cannot grow memory. */
export const QUEUE_BYTES = 4 * 1024 * 1024;

/** A queue with `push` for the runtime side and `next(signal)` for the reader. */
export class DatagramQueue {
  private readonly items: Datagram[] = [];
  private waiter: { resolve: (d: Datagram) => void; reject: (e: unknown) => void } | null = null;
  private failure: unknown = null;
  private bytes = 0;
  /** Datagrams dropped because the reader fell behind. */
  dropped = 0;

  /** Hands a datagram to the waiting reader, or keeps it. */
  push(datagram: Datagram): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(datagram);
      return;
    }
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
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(error);
    }
  }

  /** The next datagram; rejects with the signal's reason on abort (nothing is lost). */
  next(signal?: AbortSignal): Promise<Datagram> {
    if (this.items.length > 0) {
      const datagram = this.items.shift()!;
      this.bytes -= datagram.data.length;
      return Promise.resolve(datagram);
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new TypeError("Only one receive() may be pending"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Datagram>((resolve, reject) => {
      const onAbort = () => {
        this.waiter = null;
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiter = {
        resolve: (d) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(d);
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
    });
  }
}
