/**
 * Finding and reading the request files named on the command line, shared by
 * `parse` and `fuzz`.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MidgramError } from "../lib/errors.ts";

/** One input: a file, or standard input (`path` is `-`). */
export interface InputFile {
  path: string;
  stdin: boolean;
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "ENOTDIR") return "a part of the path is not a directory";
  return error instanceof Error ? error.message : String(error);
}

function walk(dir: string, extensions: readonly string[], out: InputFile[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new MidgramError("usage", `Cannot read directory "${dir}": ${describe(error)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, extensions, out);
    else if (extensions.some((ext) => entry.name.endsWith(ext))) {
      if (entry.isFile() || statSync(path, { throwIfNoEntry: false })?.isFile()) {
        out.push({ path, stdin: false });
      }
    }
  }
}

/**
 * Expands paths: a file stands for itself, a directory for every file below
 * it whose name ends in one of `extensions` (sorted, recursively; symbolic
 * links to directories are not followed), `-` for standard input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandPaths } from "./_files.ts";
 * assert.deepEqual(expandPaths(["-"], [".mi"]), [{ path: "-", stdin: true }]);
 * ```
 *
 * @throws {MidgramError} `usage` naming a path that does not exist or cannot be read.
 */
export function expandPaths(paths: readonly string[], extensions: readonly string[]): InputFile[] {
  const out: InputFile[] = [];
  for (const path of paths) {
    if (path === "-") {
      out.push({ path, stdin: true });
      continue;
    }
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      throw new MidgramError("usage", `Cannot read "${path}": ${describe(error)}`);
    }
    if (stat.isDirectory()) walk(path, extensions, out);
    else out.push({ path, stdin: false });
  }
  return out;
}

/**
 * Reads a file's bytes.
 *
 * @throws {MidgramError} `usage` naming the file when it cannot be read.
 */
export function readInput(path: string): Uint8Array {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new MidgramError("usage", `Cannot read "${path}": is a directory`);
  }
  try {
    return readFileSync(path);
  } catch (error) {
    throw new MidgramError("usage", `Cannot read "${path}": ${describe(error)}`);
  }
}
