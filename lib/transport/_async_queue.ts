/**
 * A queue of values pushed by a runtime's callbacks and taken by one waiting
 * reader at a time, with abort that loses nothing: used for accepted
 * connections and received stream chunks.
 *
 * @module
 */

/** A queue with `push`/`end`/`fail` for the runtime side and `next(signal)` for the reader. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (v: T | null) => void; reject: (e: unknown) => void } | null = null;
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
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(value);
      this.onTake?.();
      return;
    }
    this.items.push(value);
  }

  /** No more values: the reader gets `null` once the kept ones are read. */
  end(): void {
    this.ended = true;
    this.watch(undefined);
    if (this.waiter && this.items.length === 0) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(null);
    }
  }

  /**
   * Fails the waiting reader and every call after the kept values are read,
   * or at once with `discard` (the reader closed).
   */
  fail(error: unknown, discard = false): void {
    if (this.failure === null) this.failure = error;
    if (discard) this.items.length = 0;
    this.watch(undefined);
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(error);
    }
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
    if (this.waiter) return Promise.reject(new TypeError("Only one read may be pending"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (signal !== this.watched) this.watch(signal);
    return new Promise<T | null>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * Listens to the reader's abort signal. A server reads every connection
   * with the same signal, so the listener stays on it between reads instead
   * of being added and removed (with three closures) for every packet; it
   * moves when the signal changes, goes at the end or on failure, and only
   * rejects a reader that is waiting.
   */
  private watched: AbortSignal | undefined = undefined;
  private readonly onAbort = () => {
    const signal = this.watched!;
    this.watch(undefined);
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(signal.reason);
    }
  };

  private watch(signal: AbortSignal | undefined): void {
    this.watched?.removeEventListener("abort", this.onAbort);
    this.watched = signal;
    signal?.addEventListener("abort", this.onAbort);
  }
}
