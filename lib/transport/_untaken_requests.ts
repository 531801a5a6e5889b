/**
 * The requests an HTTP listener has received and not yet handed to
 * `next()`, in order, each with the way to answer its client should the
 * listener stop first. Shared by the runtimes' HTTP listener and the
 * in-memory one, which differ only in what an answer is.
 *
 * @module
 */
import { AsyncQueue } from "./_async_queue.ts";
import { closedError } from "./_errors.ts";
import type { AnyAddress, ReceivedRequest } from "./types.ts";

/** Received requests waiting for `next()`; `A` is what answers one that is never taken. */
export class UntakenRequests<A> {
  private readonly queue = new AsyncQueue<ReceivedRequest>();
  private readonly untaken = new Map<ReceivedRequest, (answer: A) => void>();

  /** Keeps a request until `next()` takes it; `answer` ends it should the listener stop first. */
  push(request: ReceivedRequest, answer: (answer: A) => void): void {
    this.untaken.set(request, answer);
    this.queue.push(request);
  }

  /** The next request; rejects with `closed` (naming `address`) once stopped. */
  async next(signal: AbortSignal | undefined, address: AnyAddress): Promise<ReceivedRequest> {
    const request = await this.queue.next(signal);
    if (request === null) throw closedError(address);
    this.untaken.delete(request);
    return request;
  }

  /** Answers every request not taken with `answer`; `next()` rejects with `closed` from now on. */
  stop(address: AnyAddress, answer: A): void {
    for (const resolve of this.untaken.values()) resolve(answer);
    this.untaken.clear();
    this.queue.fail(closedError(address), true);
  }

  /** How many requests wait, and their bytes. */
  retained(): { requests: number; bytes: number } {
    let bytes = 0;
    for (const request of this.untaken.keys()) bytes += request.data.length;
    return { requests: this.untaken.size, bytes };
  }
}
