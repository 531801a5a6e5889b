/**
 * A queue of values pushed by a runtime's callbacks and taken by one waiting
 * reader at a time, with abort that loses nothing: used for accepted
 * connections and received stream chunks.
 *
 * @module
 */
import { WaitingReader } from "./_waiting_reader.ts";

/** A queue with `push`/`end`/`fail` for the runtime side and `next(signal)` for the reader. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly reader = new WaitingReader<T | null>();
  private failure: unknown = null;
  private ended = false;
  /** Called after the reader took a value (for flow control). */
  onTake: (() => void) | null = null;

  /** How many values wait to be read. */
  get size(): number {
    return this.items.length;
  }

  /** Hands a value to the waiting reader, or keeps it. */
  push(value: T): void {
    if (this.reader.resolve(value)) {
      this.onTake?.();
      return;
    }
    this.items.push(value);
  }

  /** No more values: the reader gets `null` once the kept ones are read. */
  end(): void {
    this.ended = true;
    this.reader.stop();
    if (this.items.length === 0) this.reader.resolve(null);
  }

  /**
   * Fails the waiting reader and every call after the kept values are read,
   * or at once with `discard` (the reader closed).
   */
  fail(error: unknown, discard = false): void {
    if (this.failure === null) this.failure = error;
    if (discard) this.items.length = 0;
    this.reader.stop();
    this.reader.reject(error);
  }

  /** The next value, `null` after `end()`; rejects with the signal's reason on abort. */
  next(signal?: AbortSignal): Promise<T | null> {
    if (this.items.length > 0) {
      const value = this.items.shift()!;
      this.onTake?.();
      return Promise.resolve(value);
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(null);
    if (this.reader.waiting) return Promise.reject(new TypeError("Only one read may be pending"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.reader.wait(signal);
  }
}
