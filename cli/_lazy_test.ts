import { test } from "node:test";
import assert from "node:assert/strict";
import { lazyValue, provideLazyLoader } from "./_lazy.ts";

class Thing {
  readonly n: number;

  constructor(n: number) {
    this.n = n;
  }
}

test("a stand-in throws until a loader is provided, then loads its package once", () => {
  const loads: string[] = [];
  provideLazyLoader(null);
  const lib = lazyValue("lib", "lazy/lib.cjs", "default", "object") as Record<string, unknown>;
  assert.throws(() => lib.twice, /"lib" was used before the executable could load it/);
  provideLazyLoader((asset) => {
    loads.push(asset);
    return { default: { twice: (n: number) => 2 * n, Thing, answer: 42 } };
  });
  try {
    const { twice } = lib as { twice(n: number): number };
    assert.equal(twice(21), 42);
    assert.equal(lib.answer, 42);
    assert.ok("Thing" in lib);
    assert.ok(new (lib.Thing as typeof Thing)(1) instanceof Thing);
    assert.deepEqual(Object.keys(lib), ["twice", "Thing", "answer"]);
    assert.deepEqual(loads, ["lazy/lib.cjs"]);
  } finally {
    provideLazyLoader(null);
  }
});

test("a function stand-in can be called; a whole-exports one can be spread like a module", () => {
  provideLazyLoader((asset) =>
    asset === "f.cjs"
      ? {
        default: function named(this: unknown, a: number) {
          return [this, a];
        },
      }
      : Object.defineProperty({ Registry: Thing }, "__esModule", { value: true })
  );
  try {
    const f = lazyValue("f", "f.cjs", "default", "function") as (a: number) => unknown[];
    assert.deepEqual(f(5), [undefined, 5]);
    const exports = lazyValue("m", "m.cjs", null, "object") as Record<string, unknown>;
    // What `await import()` of the stand-in does with it: copy what it lists.
    const copy = { ...exports };
    assert.equal(copy.Registry, Thing);
    assert.equal(Object.getOwnPropertyDescriptor(exports, "__esModule")?.value, true);
    assert.equal(exports.__esModule, true);
  } finally {
    provideLazyLoader(null);
  }
});

test("a stand-in whose package lacks the export says which", () => {
  provideLazyLoader(() => ({}));
  try {
    const missing = lazyValue("x", "x.cjs", "default", "object") as Record<string, unknown>;
    assert.throws(() => missing.a, /"x\.cjs" has no "default"/);
  } finally {
    provideLazyLoader(null);
  }
});
