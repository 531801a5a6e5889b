/**
 * The one reader waiting on a queue, and the abort signal it waits with:
 * shared by the datagram queue and the stream queue.
 *
 * A server passes the same signal to every read, so the abort listener stays
 * on it between reads instead of being added and removed (with closures) for
 * every datagram or packet; it moves when the signal changes, goes with
 * {@linkcode WaitingReader.stop}, and only rejects a reader that is waiting.
 *
 * @module
 */

/** One pending read at a time: its promise, and the signal that can abort it. */
export class WaitingReader<T> {
  private waiter: { resolve: (value: T) => void; reject: (error: unknown) => void } | null = null;
  private watched: AbortSignal | undefined = undefined;
  private readonly onAbort = () => {
    const signal = this.watched!;
    this.watch(undefined);
    this.reject(signal.reason);
  };

  /** Whether a read is pending. */
  get waiting(): boolean {
    return this.waiter !== null;
  }

  /** A pending read that `signal` aborts. Call it only when none is pending and `signal` has not aborted. */
  wait(signal: AbortSignal | undefined): Promise<T> {
    if (signal !== this.watched) this.watch(signal);
    return new Promise<T>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Gives `value` to the pending read; false when there is none. */
  resolve(value: T): boolean {
    if (this.waiter === null) return false;
    const { resolve } = this.waiter;
    this.waiter = null;
    resolve(value);
    return true;
  }

  /** Fails the pending read, if there is one. */
  reject(error: unknown): void {
    if (this.waiter === null) return;
    const { reject } = this.waiter;
    this.waiter = null;
    reject(error);
  }

  /** Takes the listener off the signal (the queue ended or failed). */
  stop(): void {
    this.watch(undefined);
  }

  private watch(signal: AbortSignal | undefined): void {
    this.watched?.removeEventListener("abort", this.onAbort);
    this.watched = signal;
    signal?.addEventListener("abort", this.onAbort);
  }
}
