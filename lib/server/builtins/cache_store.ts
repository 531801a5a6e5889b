/**
 * The state behind `cache_store`/`cache_fetch`/`cache_remove`, shared by
 * every built-in set of a server and bounded in entries and bytes, so that
 * no client can grow the server without limit.
 *
 * @module
 */

/** Limits of a {@linkcode CacheStore}. */
export interface CacheLimits {
  /** Most entries at once; default 10,000. */
  maxEntries?: number;
  /** Most bytes of keys and values at once (UTF-8); default 16 MiB. */
  maxBytes?: number;
}

interface Entry {
  value: string;
  expires: number;
  size: number;
}

const encoder = new TextEncoder();

/**
 * A bounded key/value store with expiry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CacheStore } from "./cache_store.ts";
 * const cache = new CacheStore(() => Date.now(), { maxEntries: 2 });
 * assert.equal(cache.store("local", "a", "1", 0), true);
 * assert.equal(cache.fetch("local", "a"), "1");
 * ```
 */
export class CacheStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  #bytes = 0;

  constructor(now: () => number, limits: CacheLimits = {}) {
    this.#now = now;
    this.maxEntries = limits.maxEntries ?? 10_000;
    this.maxBytes = limits.maxBytes ?? 16 * 1024 * 1024;
  }

  /** Entries held now (expired ones included until they are next touched or swept). */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  #key(system: string, attr: string): string {
    return `${system}\0${attr}`;
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#bytes -= entry.size;
    this.#entries.delete(key);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expires !== 0 && entry.expires <= now) this.#drop(key);
    }
  }

  /**
   * Stores a value for `expiresSeconds` (0: for ever). Returns false, storing
   * nothing, when the store is full even after expired entries are dropped.
   */
  store(system: string, attr: string, value: string, expiresSeconds: number): boolean {
    const key = this.#key(system, attr);
    const size = encoder.encode(key).length + encoder.encode(value).length;
    const old = this.#entries.get(key);
    const fits = () =>
      this.#entries.size - (old ? 1 : 0) < this.maxEntries &&
      this.#bytes - (old?.size ?? 0) + size <= this.maxBytes;
    if (!fits()) this.#sweep();
    if (!fits()) return false;
    this.#drop(key);
    const expires = expiresSeconds === 0 ? 0 : this.#now() + expiresSeconds * 1000;
    this.#entries.set(key, { value, expires, size });
    this.#bytes += size;
    return true;
  }

  /** The live value, or undefined. */
  fetch(system: string, attr: string): string | undefined {
    const key = this.#key(system, attr);
    const entry = this.#entries.get(key);
    if (entry && entry.expires !== 0 && entry.expires <= this.#now()) {
      this.#drop(key);
      return undefined;
    }
    return entry?.value;
  }

  /** Removes a value; returns whether it was there. */
  remove(system: string, attr: string): boolean {
    const key = this.#key(system, attr);
    const had = this.#entries.has(key);
    this.#drop(key);
    return had;
  }
}
