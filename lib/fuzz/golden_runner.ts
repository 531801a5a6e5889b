/**
 * The golden runner: finds the golden cases among a list of files, plays
 * each one (parse cases through the parser, the others through an
 * in-process server), compares it with its expectation and, asked to,
 * rewrites the expectations from the current results for review. It prints
 * nothing and touches no process: it returns one result per case, and
 * `midgram fuzz` prints them.
 *
 * A case is one of
 *
 * * `NAME.mi` beside `NAME.json`: a parse case ({@linkcode compareParseCase});
 * * `NAME.mi` beside `NAME.reply`, or below a `server/` folder without a
 *   `NAME.json`: a server case ({@linkcode compareServerCase});
 * * `NAME.json` that is no `.mi` case's expectation, beside `NAME.reply` or
 *   an empty `NAME.noreply`: a JSON-RPC case, of the flavour its folder is
 *   named after (`opensips/`, `kamailio/`; else opensips);
 * * `NAME.req.hex` beside `NAME.reply.hex`: a binrpc case
 *   ({@linkcode compareRpcCase}).
 *
 * Files are reached through {@linkcode GoldenFiles}: the disk
 * ({@linkcode diskGoldenFiles}) unless told otherwise.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { compareParseCase, expectedParseResult, resultJson } from "../golden/parse_cases.ts";
import { parseHex } from "../protocol/binrpc/testing/hex.ts";
import { compareServerCase, goldenServer } from "./golden.ts";
import { compareRpcCase, formatHex, goldenRpcServer, type RpcGoldenKind } from "./golden_rpc.ts";

/** Where the runner reads and writes case files: the disk, or a map in tests. */
export interface GoldenFiles {
  /** Whether `path` names a file. */
  exists(path: string): boolean;
  /** The bytes of `path` (which exists). */
  read(path: string): Uint8Array;
  /** Writes `data` to `path`, creating its folder when missing. */
  write(path: string, data: Uint8Array | string): void;
  /** Removes the file `path`. */
  remove(path: string): void;
}

/** The case files on disk. */
export const diskGoldenFiles: GoldenFiles = {
  exists: (path) => existsSync(path),
  read: (path) => new Uint8Array(readFileSync(path)),
  write(path, data) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  },
  remove: (path) => rmSync(path),
};

/**
 * Case files held in `files` (path → bytes), for tests and examples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryGoldenFiles } from "./golden_runner.ts";
 * const map = new Map<string, Uint8Array>();
 * const files = memoryGoldenFiles(map);
 * files.write("a/b.reply", "200 OK\n\n");
 * assert.equal(files.exists("a/b.reply"), true);
 * assert.equal(new TextDecoder().decode(map.get("a/b.reply")), "200 OK\n\n");
 * ```
 */
export function memoryGoldenFiles(files: Map<string, Uint8Array>): GoldenFiles {
  return {
    exists: (path) => files.has(path),
    read(path) {
      const bytes = files.get(path);
      if (bytes === undefined) throw new Error(`No file "${path}"`);
      return bytes;
    },
    write(path, data) {
      files.set(path, typeof data === "string" ? new TextEncoder().encode(data) : data);
    },
    remove(path) {
      files.delete(path);
    },
  };
}

/** The names that golden cases end in: the files a runner is handed. */
export const GOLDEN_EXTENSIONS: readonly string[] = [".mi", ".json", ".req.hex"];

/** What a case is checked as: its label in reports. */
export type GoldenCaseKind =
  | "parse"
  | "server"
  | "jsonrpc/opensips"
  | "jsonrpc/kamailio"
  | "binrpc";

/** The outcome of one case. */
export interface GoldenResult {
  /** The case's file. */
  path: string;
  /** It matched its expectation (always true after an update). */
  ok: boolean;
  kind: GoldenCaseKind;
  /** Expected against actual (`-`/`+` lines), or which expectation is missing; empty when ok. */
  diff: string;
}

/** Options of {@linkcode runGolden}. */
export interface GoldenRunOptions {
  /** Rewrite each expectation that differs or is missing from the current result. */
  update?: boolean;
  /** Only the cases whose path contains this. */
  filter?: string;
  /** Where the case files are [default: {@linkcode diskGoldenFiles}]. */
  files?: GoldenFiles;
}

// "utf8" as node:fs reads it: a byte-order mark is kept.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** The flavour of a JSON-RPC case: the folder it is in (`opensips/`, `kamailio/`), else opensips. */
function flavourOf(path: string): "opensips" | "kamailio" {
  return /(^|\/)kamailio\/[^/]*$/.test(path) ? "kamailio" : "opensips";
}

/**
 * Whether a `.json` file is a JSON-RPC case, not the expectation of the
 * `.mi` parse case beside it: no `.mi` beside it, and a `.reply` or
 * `.noreply` beside it or an `opensips/` or `kamailio/` folder above it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isJsonRpcCase, memoryGoldenFiles } from "./golden_runner.ts";
 * const files = memoryGoldenFiles(new Map([["p/v.mi", new Uint8Array()]]));
 * assert.equal(isJsonRpcCase("p/v.json", files), false);
 * assert.equal(isJsonRpcCase("cases/kamailio/echo.json", files), true);
 * ```
 */
export function isJsonRpcCase(path: string, files: GoldenFiles = diskGoldenFiles): boolean {
  const base = path.slice(0, -5);
  return !files.exists(`${base}.mi`) &&
    (files.exists(`${base}.reply`) || files.exists(`${base}.noreply`) ||
      /(^|\/)(opensips|kamailio)\/[^/]*$/.test(path));
}

/**
 * Plays the golden cases among `paths`, in order, and returns one result
 * per case. Only files ending in one of {@linkcode GOLDEN_EXTENSIONS} are
 * cases, and a `.json` only when it is no parse case's expectation: the
 * rest (expectations, `-`) is passed over.
 *
 * @example A parse case without its expectation fails; an update writes it
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryGoldenFiles, runGolden } from "./golden_runner.ts";
 * const map = new Map([["cases/version.mi", new TextEncoder().encode(":version:\n")]]);
 * const files = memoryGoldenFiles(map);
 * const [missing] = await runGolden(["cases/version.mi"], { files });
 * assert.deepEqual(missing, {
 *   path: "cases/version.mi",
 *   ok: false,
 *   kind: "parse",
 *   diff: "missing cases/version.json",
 * });
 * await runGolden(["cases/version.mi"], { files, update: true });
 * assert.ok(map.has("cases/version.json"));
 * const [again] = await runGolden(["cases/version.mi", "cases/version.json"], { files });
 * assert.equal(again.ok, true);
 * ```
 */
export async function runGolden(
  paths: readonly string[],
  options: GoldenRunOptions = {},
): Promise<GoldenResult[]> {
  const files = options.files ?? diskGoldenFiles;
  const update = !!options.update;
  const cases = paths.filter((path) =>
    GOLDEN_EXTENSIONS.some((extension) => path.endsWith(extension)) &&
    (!options.filter || path.includes(options.filter)) &&
    (!path.endsWith(".json") || isJsonRpcCase(path, files))
  );
  const results: GoldenResult[] = [];
  const rpcServer = goldenRpcServer();
  try {
    for (const path of cases) {
      if (path.endsWith(".json") || path.endsWith(".req.hex")) {
        results.push(await rpcCase(rpcServer, path, update, files));
      } else if (isServerCase(path, files)) {
        results.push(await serverCase(path, update, files));
      } else {
        results.push(parseCase(path, update, files));
      }
    }
  } finally {
    await rpcServer.close();
  }
  return results;
}

/** A `.mi` with a `.reply` beside it, or below a `server/` folder without a `.json`. */
function isServerCase(path: string, files: GoldenFiles): boolean {
  const base = path.slice(0, -3);
  return files.exists(`${base}.reply`) ||
    (!files.exists(`${base}.json`) && /(^|\/)server\//.test(path));
}

/** One text MI server case (`NAME.mi` against `NAME.reply`), on a fresh server. */
async function serverCase(
  path: string,
  update: boolean,
  files: GoldenFiles,
): Promise<GoldenResult> {
  const expectedPath = `${path.slice(0, -3)}.reply`;
  const had = files.exists(expectedPath);
  const expected = had ? files.read(expectedPath) : new Uint8Array();
  const server = goldenServer();
  try {
    const { ok, actual, diff } = await compareServerCase(server, files.read(path), expected);
    if (!ok && update) files.write(expectedPath, actual);
    return {
      path,
      ok: ok || update,
      kind: "server",
      diff: had || update ? diff : `missing ${expectedPath}`,
    };
  } finally {
    await server.close();
  }
}

/** One parse case (`NAME.mi` against `NAME.json`; an empty one counts as missing). */
function parseCase(path: string, update: boolean, files: GoldenFiles): GoldenResult {
  const expectedPath = `${path.slice(0, -3)}.json`;
  const expected = files.exists(expectedPath) ? utf8.decode(files.read(expectedPath)) : "";
  const { ok, actualJsonText, diff } = compareParseCase(files.read(path), expected);
  if (!ok && update) files.write(expectedPath, actualJsonText);
  return {
    path,
    ok: ok || update,
    kind: "parse",
    diff: expected ? diff : `missing ${expectedPath}`,
  };
}

/** One JSON-RPC (`NAME.json`) or binrpc (`NAME.req.hex`) case against the structured server. */
async function rpcCase(
  server: ReturnType<typeof goldenRpcServer>,
  path: string,
  update: boolean,
  files: GoldenFiles,
): Promise<GoldenResult> {
  const binrpc = path.endsWith(".req.hex");
  const kind: RpcGoldenKind = binrpc
    ? { dialect: "binrpc" }
    : { dialect: "jsonrpc", flavour: flavourOf(path) };
  const base = binrpc ? path.slice(0, -8) : path.slice(0, -5);
  const request = binrpc ? parseHex(utf8.decode(files.read(path))) : files.read(path);
  let expected: Uint8Array | null = null;
  let missing = "";
  if (binrpc) {
    const file = `${base}.reply.hex`;
    if (files.exists(file)) expected = parseHex(utf8.decode(files.read(file)));
    else missing = file;
  } else if (!files.exists(`${base}.noreply`)) {
    if (files.exists(`${base}.reply`)) expected = files.read(`${base}.reply`);
    else missing = `${base}.reply or ${base}.noreply`;
  }
  const { ok, actual, diff } = await compareRpcCase(server, kind, request, expected);
  if ((!ok || missing) && update) writeRpcExpectation(base, binrpc, actual, files);
  return {
    path,
    ok: (ok && !missing) || update,
    kind: kind.dialect === "binrpc" ? "binrpc" : `jsonrpc/${kind.flavour}`,
    diff: missing && !update ? `missing ${missing}` : diff,
  };
}

/** Writes a structured case's expectation (and removes the one it replaces). */
function writeRpcExpectation(
  base: string,
  binrpc: boolean,
  actual: Uint8Array | null,
  files: GoldenFiles,
): void {
  if (binrpc) {
    files.write(`${base}.reply.hex`, actual === null ? "" : formatHex(actual));
    return;
  }
  const [written, replaced] = actual === null ? [".noreply", ".reply"] : [".reply", ".noreply"];
  files.write(`${base}${written}`, actual ?? "");
  if (files.exists(`${base}${replaced}`)) files.remove(`${base}${replaced}`);
}

/**
 * Keeps `bytes` as a new parse case `DIR/NAME.mi` with the current parser's
 * result as its expectation (`NAME.json`), for review; returns the `.mi` path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryGoldenFiles, runGolden, saveParseCase } from "./golden_runner.ts";
 * const files = memoryGoldenFiles(new Map());
 * const path = saveParseCase("found", "case-1", new TextEncoder().encode(":ps:\n"), files);
 * assert.equal(path, "found/case-1.mi");
 * assert.equal((await runGolden([path], { files }))[0].ok, true);
 * ```
 */
export function saveParseCase(
  dir: string,
  name: string,
  bytes: Uint8Array,
  files: GoldenFiles = diskGoldenFiles,
): string {
  const path = join(dir, `${name}.mi`);
  files.write(path, bytes);
  files.write(join(dir, `${name}.json`), resultJson(expectedParseResult(bytes)));
  return path;
}

/**
 * Keeps `bytes` as a new structured case with the current reply as its
 * expectation, for review: JSON-RPC `DIR/<flavour>/NAME.json`, binrpc
 * `DIR/NAME.req.hex`. Returns the request file's path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryGoldenFiles, runGolden, saveRpcCase } from "./golden_runner.ts";
 * const map = new Map<string, Uint8Array>();
 * const files = memoryGoldenFiles(map);
 * const request = new TextEncoder().encode('{"jsonrpc":"2.0","method":"core.echo","params":["a"],"id":1}');
 * const kind = { dialect: "jsonrpc", flavour: "kamailio" } as const;
 * const path = await saveRpcCase("found", "echo", kind, request, files);
 * assert.equal(path, "found/kamailio/echo.json");
 * assert.ok(map.has("found/kamailio/echo.reply"));
 * assert.equal((await runGolden([path], { files }))[0].ok, true);
 * ```
 */
export async function saveRpcCase(
  dir: string,
  name: string,
  kind: RpcGoldenKind,
  bytes: Uint8Array,
  files: GoldenFiles = diskGoldenFiles,
): Promise<string> {
  const server = goldenRpcServer();
  try {
    const { actual } = await compareRpcCase(server, kind, bytes, null);
    const base = join(kind.dialect === "jsonrpc" ? join(dir, kind.flavour) : dir, name);
    const path = kind.dialect === "jsonrpc" ? `${base}.json` : `${base}.req.hex`;
    files.write(path, kind.dialect === "jsonrpc" ? bytes : formatHex(bytes));
    writeRpcExpectation(base, kind.dialect === "binrpc", actual, files);
    return path;
  } finally {
    await server.close();
  }
}
