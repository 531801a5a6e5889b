/**
 * Packages that the single executable keeps out of its start-up snapshot.
 *
 * Every module in the executable's bundle is evaluated when the build takes
 * the V8 snapshot, and every start deserializes all of it: fast-check (only
 * `fuzz` uses it), prom-client (only `exporter`) and @bomb.sh/tab (only
 * `completions`) made the snapshot's isolate part 2.48 MB instead of 1.82 MB,
 * about 3 ms of every start (`scripts/bench_startup.mjs`). So the build
 * (`scripts/build_binary.mjs`) bundles each of them on its own, as an asset
 * of the executable, and puts a stand-in from {@linkcode lazyValue} in the
 * main bundle where the package was imported. The stand-in loads the real
 * package the first time it is used, through the loader the executable's
 * entry provides ({@linkcode provideLazyLoader}).
 *
 * Nothing here is used by the library or by the CLI run from source: they
 * import the packages directly.
 *
 * @module
 */

/** Evaluates the bundle `asset` of a package and returns its `module.exports`. */
export type LazyLoader = (asset: string) => Record<string | symbol, unknown>;

let loader: LazyLoader | null = null;

/** Sets how stand-ins load their package (the executable's entry, at start); null withdraws it. */
export function provideLazyLoader(load: LazyLoader | null): void {
  loader = load;
}

/**
 * A stand-in for a value of a package bundled apart as `asset`: `key` of its
 * exports (`"default"`), or the exports themselves (`null`). Reading,
 * calling or listing it loads the package once; then it behaves as the real
 * value. A `"function"` stand-in can be called; an `"object"` one cannot.
 *
 * Used before a loader is provided (which would put the package into the
 * snapshot), it throws: the build then fails or warns instead of shipping a
 * slower executable.
 *
 * @example A stand-in forwards to what the loader returns
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyValue, provideLazyLoader } from "./_lazy.ts";
 *
 * const loaded: string[] = [];
 * provideLazyLoader((asset) => {
 *   loaded.push(asset);
 *   return { default: { twice: (n: number) => 2 * n } };
 * });
 * const lib = lazyValue("lib", "lazy/lib.cjs", "default", "object") as { twice(n: number): number };
 * assert.deepEqual(loaded, []);
 * assert.equal(lib.twice(21), 42);
 * assert.equal(lib.twice(1), 2);
 * assert.deepEqual(loaded, ["lazy/lib.cjs"]);
 * ```
 */
export function lazyValue(
  name: string,
  asset: string,
  key: string | null,
  kind: "object" | "function",
): unknown {
  let real: object | undefined;
  const load = (): object => {
    if (real !== undefined) return real;
    if (loader === null) {
      throw new Error(
        `midgram: "${name}" was used before the executable could load it ` +
          "(at build time it would be part of the start-up snapshot)",
      );
    }
    const exports = loader(asset);
    const value = key === null ? exports : exports[key];
    if ((typeof value !== "object" && typeof value !== "function") || value === null) {
      throw new Error(`midgram: "${asset}" has no ${key === null ? "exports" : `"${key}"`}`);
    }
    real = value;
    return real;
  };
  // An arrow function has no non-configurable own properties that the
  // real value would lack, which the Proxy invariants require of a target.
  const target = kind === "function" ? (() => {}) : {};
  return new Proxy(target, {
    get: (_, property) => Reflect.get(load(), property),
    has: (_, property) => Reflect.has(load(), property),
    apply: (_, self, args) => Reflect.apply(load() as (...a: unknown[]) => unknown, self, args),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, property) => {
      const found = Reflect.getOwnPropertyDescriptor(load(), property);
      // Reported as configurable: the target does not have it (an invariant).
      return found && { ...found, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(load()),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}
