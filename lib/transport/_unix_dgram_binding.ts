/**
 * Where the Node adapter gets the unix-dgram native binding from. Normally it
 * is required from node_modules on first use; the single executable instead
 * provides a loader that extracts the `.node` file it carries (see
 * `cli/sea_main.ts`). Nothing here runs at import time, so importing this
 * module never loads native code (and never fails on Deno).
 *
 * @module
 */
import { createRequire } from "node:module";

/** The functions of unix-dgram's native `unix_dgram.node` that midgram uses. */
export interface UnixDgramBinding {
  AF_UNIX: number;
  SOCK_DGRAM: number;
  /** Returns the fd, or a negative errno. `onMessage(status, data, senderPath)`. */
  socket(
    domain: number,
    type: number,
    protocol: number,
    onMessage: (status: number, data: Uint8Array | null, path: string | null) => void,
    onWritable: () => void,
  ): number;
  /** Returns 0 or a negative errno. */
  bind(fd: number, path: string): number;
  /** Returns 0, 1 (would block: wait for `onWritable`), or a negative errno. */
  sendto(fd: number, data: Uint8Array, offset: number, length: number, path: string): number;
  /** Returns 0 or a negative errno. */
  close(fd: number): number;
}

let loader: (() => UnixDgramBinding) | null = null;
let loaded: UnixDgramBinding | null = null;

/**
 * Replaces the default loader (require from node_modules). Called once, by
 * the single-executable entry point, before any UNIX socket is opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { provideUnixDgramBinding, unixDgramBinding } from "./_unix_dgram_binding.ts";
 * provideUnixDgramBinding(() => {
 *   throw new Error("no native addon in this build");
 * });
 * assert.throws(() => unixDgramBinding(), /no native addon/);
 * ```
 */
export function provideUnixDgramBinding(load: () => UnixDgramBinding): void {
  loader = load;
  loaded = null;
}

/** Loads the binding on first use and caches it. Throws when it cannot be loaded. */
export function unixDgramBinding(): UnixDgramBinding {
  if (loaded) return loaded;
  if (loader) {
    loaded = loader();
  } else {
    const require = createRequire(import.meta.url);
    loaded = require("unix-dgram/build/Release/unix_dgram.node") as UnixDgramBinding;
  }
  return loaded;
}
