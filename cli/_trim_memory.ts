/**
 * Giving memory back after a burst, for long-running commands (serve).
 *
 * V8 sizes its young generation for a burst of work (up to 3 × 16 MiB on
 * Node 20) and shrinks it only in a collection that runs while its
 * allocation rate, over the last 5 s, is low. A server that goes idle after
 * a flood runs no collection at all, so its RSS stayed at the flood's peak
 * (`scripts/bench_serve.mjs`); and glibc keeps the free pages a flood of
 * datagrams leaves in the middle of its heap. After each burst this runs two
 * full collections, each followed by `malloc_trim` where it can be called:
 * one as the process goes idle (freeing what the burst left) and one three
 * idle intervals later (which V8 then lets shrink the young generation). A
 * server that stays busy or idle runs none.
 *
 * @module
 */
import process from "node:process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { openDenoLibc } from "./_deno_libc.ts";

/**
 * Shares of one core per interval: above BUSY the process is busy, below IDLE
 * it is idle. An idle server that serves a FIFO polls it (neither runtime
 * can wait for a FIFO to become readable): about 2% of a core, which must
 * still count as idle.
 */
export const BUSY_SHARE = 0.1;
export const IDLE_SHARE = 0.05;

/**
 * The decisions, without clock or runtime: feed it the CPU milliseconds the
 * process used in each interval; it calls `collect` when a collection is due.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { burstTrimmer } from "./_trim_memory.ts";
 * const times: number[] = [];
 * const tick = burstTrimmer(2000, () => times.push(Date.now()));
 * for (const used of [1500, 900, 3, 2, 1, 4, 0]) tick(used); // a burst, then idle
 * assert.equal(times.length, 2);
 * ```
 */
export function burstTrimmer(intervalMs: number, collect: () => void): (usedMs: number) => void {
  // Idle intervals since the last burst (-1: no burst to clean up after).
  let idle = -1;
  return (usedMs) => {
    if (usedMs > intervalMs * BUSY_SHARE) idle = 0;
    else if (idle >= 0 && usedMs < intervalMs * IDLE_SHARE) {
      idle++;
      // 3 intervals apart, so the second one's last 5 s are idle.
      if (idle === 1 || idle === 4) collect();
      if (idle === 4) idle = -1;
    }
  };
}

/**
 * glibc's `malloc_trim(0)` through Deno's FFI (allowed by `--allow-ffi`, as
 * `deno task cli` runs), or null: it hands back the free pages in the middle
 * of the C heap, which a flood of datagrams leaves behind and glibc keeps
 * (the single executable runs on Node, which cannot call it).
 */
function denoMallocTrim(): (() => void) | null {
  const libc = openDenoLibc<{ malloc_trim(pad: bigint): number }>({
    malloc_trim: { parameters: ["usize"], result: "i32" },
  });
  return libc === null ? null : () => void libc.symbols.malloc_trim(0n);
}

let nativeTrim: () => (() => void) | null = () => null;

/**
 * Gives {@linkcode fullCollector} glibc's `malloc_trim` on Node: the single
 * executable provides it from its own addon (`native/malloc_trim.c`); it is
 * loaded only when a server starts watching for bursts.
 */
export function provideMallocTrim(load: () => (() => void) | null): void {
  nativeTrim = load;
}

/**
 * What gives memory back after a burst, or null where nothing can: V8's full
 * collector (Node gives it to a new context once `--expose-gc` is set, which
 * is not a start-up flag, so the single executable's snapshot still loads;
 * Deno has it only when started with `--v8-flags=--expose-gc`), then glibc's
 * `malloc_trim`: on Deno through FFI when it is allowed, in the single
 * executable from its own addon.
 */
export function fullCollector(): (() => void) | null {
  let gc: (() => void) | null = null;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === "function") gc = () => exposed();
  else if (!("Deno" in globalThis)) {
    try {
      setFlagsFromString("--expose-gc");
      const found = runInNewContext("gc");
      setFlagsFromString("--no-expose-gc");
      if (typeof found === "function") gc = () => found();
    } catch {
      // No collector: nothing to do.
    }
  }
  const trim = "Deno" in globalThis ? denoMallocTrim() : nativeTrim();
  if (gc === null || trim === null) return gc ?? trim;
  return () => {
    gc();
    trim();
  };
}

/**
 * Watches the process's CPU time every `intervalMs` (an unreferenced timer)
 * and collects after bursts; returns the function that stops it.
 */
export function trimMemoryAfterBursts(intervalMs = 2000): () => void {
  const gc = fullCollector();
  if (gc === null || typeof process.cpuUsage !== "function") return () => {};
  const tick = burstTrimmer(intervalMs, gc);
  let last = process.cpuUsage();
  const timer = setInterval(() => {
    const now = process.cpuUsage();
    tick((now.user - last.user + now.system - last.system) / 1000);
    last = now;
  }, intervalMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
