/**
 * The entry point of the single executable (Node SEA). The unix-dgram native
 * addon travels inside the executable as an asset; the first time a UNIX
 * socket is opened it is written to a private temporary directory, loaded
 * with `process.dlopen` and removed at once (a loaded library stays mapped).
 * Nothing native is touched before then, so `--version` stays fast.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createRequire } from "node:module";
import {
  provideUnixDgramBinding,
  type UnixDgramBinding,
} from "../lib/transport/_unix_dgram_binding.ts";
import { main } from "./process.ts";

/** The `node:sea` module, required lazily (it exists only in Node 20.12+). */
interface SeaModule {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
}

function loadFromAsset(sea: SeaModule): UnixDgramBinding {
  const dir = mkdtempSync(join(tmpdir(), "midgram-native-"));
  const file = join(dir, "unix_dgram.node");
  try {
    writeFileSync(file, new Uint8Array(sea.getAsset("unix_dgram.node")), { mode: 0o700 });
    const module = { exports: {} as UnixDgramBinding };
    process.dlopen(module, file);
    return module.exports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let sea: SeaModule | null = null;
try {
  // `require` exists in the CJS bundle this file is built into.
  sea = createRequire(__filename)("node:sea") as SeaModule;
} catch {
  sea = null;
}
if (sea?.isSea()) {
  const module = sea;
  provideUnixDgramBinding(() => loadFromAsset(module));
}
void main();
