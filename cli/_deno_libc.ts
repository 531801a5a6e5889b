/**
 * The C library through Deno's FFI, for what Node's API cannot do on Deno:
 * ignoring SIGUSR1 (`process.ts`) and glibc's `malloc_trim`
 * (`_trim_memory.ts`). On Node there is no `Deno` namespace and nothing here
 * is used.
 *
 * @module
 */

/** What of the `Deno` namespace midgram uses; undefined on Node. */
export interface DenoNamespace {
  permissions: { querySync(d: { name: string }): { state: string } };
  dlopen(
    path: string,
    symbols: Record<string, { parameters: string[]; result: string }>,
  ): { symbols: unknown; close(): void };
}

/** The `Deno` namespace, or undefined on Node. */
export function denoNamespace(): DenoNamespace | undefined {
  return (globalThis as { Deno?: DenoNamespace }).Deno;
}

/** The C library's names on Linux (glibc, then others) and macOS, tried in this order. */
const LIBC_NAMES = ["libc.so.6", "libc.so", "/usr/lib/libSystem.B.dylib"];

/**
 * Opens the C library with `symbols`, or returns null: not Deno, FFI not
 * allowed (never prompted for: without it the caller documents the limit),
 * or no C library here has them all.
 */
export function openDenoLibc<S>(
  symbols: Record<string, { parameters: string[]; result: string }>,
): { symbols: S; close(): void } | null {
  const deno = denoNamespace();
  if (!deno || deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  for (const name of LIBC_NAMES) {
    try {
      return deno.dlopen(name, symbols) as { symbols: S; close(): void };
    } catch {
      // Try the next name.
    }
  }
  return null;
}
