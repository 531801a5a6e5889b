/**
 * The entry point of the single executable (Node SEA, see
 * `scripts/build_binary.mjs`). It is bundled to `dist/midgram.cjs`, which the
 * build runs once to take a V8 start-up snapshot: every module is evaluated
 * at build time and the executable starts from the resulting heap, calling
 * only {@linkcode start}. Module-level code anywhere in the CLI therefore
 * must not read the environment, the terminal, the clock or open anything.
 *
 * The unix-dgram native addon travels inside the executable as an asset; the
 * first time a UNIX socket is opened it is loaded with `process.dlopen` from
 * the user's private cache (`~/.cache/midgram/`, written once, checked on
 * every use), or, where there is none, written to a private temporary
 * directory and removed at once (a loaded library stays mapped). Nothing
 * native is touched before then, so `--version` stays fast. midgram's own
 * addon `native/malloc_trim.c`, when the build could compile it, travels and
 * loads the same way, once `serve` starts watching for bursts.
 *
 * Before the snapshot is taken, `warmUp()` (`_warm_up.ts`) sends one request
 * in each dialect through the CLI, in memory and over loopback UDP, so that
 * the snapshot holds the compiled code of a one-shot `send`: about 4 ms of
 * every start of one (`scripts/bench_startup.mjs`), for 2 ms more of
 * `--version`, which deserializes the larger snapshot.
 *
 * Packages only some subcommands use (fast-check, prom-client, @bomb.sh/tab)
 * are not in the snapshot: they are assets too, evaluated the first time
 * they are used (`_lazy.ts`, `loadLazyAsset()` here).
 *
 * Run by plain Node (`node dist/midgram.cjs`, for debugging), it is not a
 * SEA: the addon is then required from node_modules as usual, and those
 * packages are read from `dist/midgram.lazy/`.
 *
 * The executable never opens a debugger: Node 20 refuses inspector flags in
 * `NODE_OPTIONS` for a single executable, and `start` first of all replaces
 * Node's SIGUSR1 handler and closes an inspector a signal may have opened in
 * the milliseconds before it ran (see `hardenProcess()` in `process.ts`).
 *
 * @module
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { compileFunction } from "node:vm";
import { getAsset, isSea } from "node:sea";
import { startupSnapshot } from "node:v8";
import { MidgramError } from "../lib/errors.ts";
import { provideUnixDgramBinding, type UnixDgramBinding } from "../lib/transport/open.ts";
import { VERSION } from "../lib/version.ts";
import { hardenProcess, main } from "./process.ts";
import { warmUp } from "./_warm_up.ts";
import { provideMallocTrim } from "./_trim_memory.ts";
import { provideLazyLoader } from "./_lazy.ts";

/** The key of the addon in the executable's assets (see the build script). */
const ADDON_ASSET = "unix_dgram.node";

/**
 * The user's private cache directory for the unpacked addon, made if missing
 * (`$XDG_CACHE_HOME/midgram` or `~/.cache/midgram`), or null when there is
 * none that only this user can write: a real directory (not a link), owned
 * by us, with no access for group or others.
 */
function privateCacheDir(): string | null {
  const base = process.env.XDG_CACHE_HOME ||
    (process.env.HOME ? join(process.env.HOME, ".cache") : "");
  if (!base.startsWith("/") || typeof process.getuid !== "function") return null;
  const dir = join(base, "midgram");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = lstatSync(dir);
    const ours = info.isDirectory() && info.uid === process.getuid() && (info.mode & 0o077) === 0;
    return ours ? dir : null;
  } catch {
    return null;
  }
}

/**
 * The addon's file in the private cache, written (atomically, by rename) the
 * first time and afterwards only checked: a regular file of ours that no
 * one else may write, holding exactly the asset's bytes. Loading it again
 * costs a read and a `dlopen` instead of unpacking it into a new temporary
 * directory on every start (about 5 ms of a one-shot `send` to a UNIX socket).
 */
function cachedAddon(stem: string, bytes: Uint8Array): string | null {
  const dir = privateCacheDir();
  if (dir === null) return null;
  const file = join(dir, `${stem}-${VERSION}-${bytes.length}.node`);
  try {
    const info = lstatSync(file);
    const safe = info.isFile() && info.uid === process.getuid!() && (info.mode & 0o022) === 0;
    if (safe && Buffer.compare(readFileSync(file), bytes) === 0) return file;
  } catch {
    // Not there yet: write it.
  }
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, bytes, { mode: 0o700 });
    renameSync(temporary, file);
    return file;
  } catch {
    rmSync(temporary, { force: true });
    return null;
  }
}

/**
 * Loads one of the executable's native addons: from the private cache, or,
 * where there is none (a systemd unit with `ProtectHome=`, a cache on a
 * noexec mount), from a private temporary directory removed at once.
 * Throws what the temporary copy failed with.
 */
function loadAsset<T>(asset: string, stem: string): T {
  const bytes = new Uint8Array(getAsset(asset));
  const module = { exports: {} as T };
  const cached = cachedAddon(stem, bytes);
  if (cached !== null) {
    try {
      process.dlopen(module, cached);
      return module.exports;
    } catch {
      // Unpack it to TMPDIR as below.
    }
  }
  let dir: string | null = null;
  try {
    // mkdtemp creates the directory with mode 0700: only we can reach the file.
    dir = mkdtempSync(join(tmpdir(), "midgram-native-"));
    const file = join(dir, asset);
    writeFileSync(file, bytes, { mode: 0o700 });
    process.dlopen(module, file);
    return module.exports;
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

function loadAddonFromAsset(): UnixDgramBinding {
  try {
    return loadAsset<UnixDgramBinding>(ADDON_ASSET, "unix_dgram");
  } catch (error) {
    // A missing or read-only TMPDIR, or one mounted noexec, is the usual cause.
    const detail = error instanceof Error ? error.message : String(error);
    throw new MidgramError(
      "transport",
      `Cannot load the UNIX datagram addon in "${tmpdir()}": ${detail}` +
        " (set TMPDIR to a writable directory that allows executables)",
      { cause: error },
    );
  }
}

/** The asset of midgram's own malloc_trim addon (absent when the build had no Node headers or cc). */
const TRIM_ASSET = "malloc_trim.node";

/** glibc's `malloc_trim(0)` from the executable's own addon, or null where it cannot be had. */
function loadMallocTrim(): (() => void) | null {
  try {
    const trim = loadAsset<{ trim?: () => boolean }>(TRIM_ASSET, "malloc_trim").trim;
    return typeof trim === "function" ? () => void trim() : null;
  } catch {
    return null; // Not in this build, or not loadable here: serve does without it.
  }
}

/**
 * Evaluates the bundle of a package kept out of the snapshot (`_lazy.ts`):
 * an asset of the executable, or, run by plain Node, the file of that name
 * beside `dist/midgram.cjs`. Such a bundle requires only Node's built-in
 * modules (the build bundled everything else into it).
 */
function loadLazyAsset(asset: string): Record<string | symbol, unknown> {
  const here = fileURLToPath(import.meta.url);
  const code = isSea() ? getAsset(asset, "utf8") : readFileSync(join(dirname(here), asset), "utf8");
  const module = { exports: {} as Record<string | symbol, unknown> };
  const run = compileFunction(code, ["exports", "require", "module"], {
    filename: `midgram:${asset}`,
  });
  run(module.exports, createRequire(here), module);
  return module.exports;
}

/** Runs the CLI: what the executable does when it starts. */
function start(): void {
  // First of all, before Node's SIGUSR1 handler can start the inspector: see hardenProcess().
  process.on("SIGUSR1", () => {});
  hardenProcess(isSea());
  // `--version` alone prints what the CLI would print (commander's version
  // line) without setting up the CLI's streams and parser: about 8 ms of a
  // 75 ms start (scripts/bench_startup.mjs).
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    process.stdout.on("error", () => process.exit(0)); // `| head`, as main() does
    process.stdout.write(`${VERSION}\n`, () => process.exit(0));
    return;
  }
  provideLazyLoader(loadLazyAsset);
  if (isSea()) {
    provideUnixDgramBinding(loadAddonFromAsset);
    provideMallocTrim(loadMallocTrim);
  }
  void main();
}

if (startupSnapshot.isBuildingSnapshot()) {
  // The builder runs the event loop to its end before it takes the snapshot.
  void warmUp().then(
    (codes) => {
      if (codes.some((c) => c !== 0)) {
        process.stderr.write(`midgram: warning: snapshot warm-up exited ${codes.join(", ")}\n`);
      }
    },
    (error) => process.stderr.write(`midgram: warning: snapshot warm-up failed: ${error}\n`),
  );
  startupSnapshot.setDeserializeMainFunction(start);
} else {
  start();
}
