/**
 * What `midgram --version --verbose` and `doctor` say of this build: the
 * version, the commit and date recorded at build time (the build scripts
 * define `__MIDGRAM_BUILD__`; run from source, git is asked, else
 * "source"), the runtime, the dialects and transports built in, and the
 * configuration file in use.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DIALECTS } from "../lib/protocol/dialects.ts";
import { VERSION } from "../lib/version.ts";
import { loadConfig } from "./_config_file.ts";

declare const __MIDGRAM_BUILD__: { commit: string; date: string; kind: string } | undefined;

/** The transports built in, as `-s` writes them. */
const TRANSPORTS: readonly string[] = [
  "unix (datagram)",
  "unixs (stream)",
  "udp",
  "tcp",
  "fifo",
  "http",
];

/** Facts about this build and where it runs. */
export interface BuildInfo {
  version: string;
  /** The git commit (`-dirty` when built from a changed tree), or `unknown`. */
  commit: string;
  /** When it was built (ISO 8601), or `source` when run from the sources. */
  date: string;
  /** `single executable`, `npm package` or `source`. */
  kind: string;
  runtime: string;
}

function sourceCommit(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    const commit = execFileSync("git", ["-C", join(here, ".."), "rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
    }).trim();
    return /^[0-9a-f]{40}$/.test(commit) ? commit : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * This build's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSION } from "../lib/version.ts";
 * import { buildInfo } from "./_build_info.ts";
 * const info = buildInfo();
 * assert.equal(info.version, VERSION);
 * assert.equal(info.kind, "source"); // run from the sources, not the built binary
 * ```
 */
export function buildInfo(): BuildInfo {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  const runtime = deno
    ? `deno ${deno.version.deno}`
    : `node ${(globalThis as { process?: { version: string } }).process?.version ?? "?"}`;
  const built = typeof __MIDGRAM_BUILD__ === "undefined" ? undefined : __MIDGRAM_BUILD__;
  if (built) return { version: VERSION, ...built, runtime };
  return { version: VERSION, commit: sourceCommit(), date: "source", kind: "source", runtime };
}

/** The lines of `--version --verbose`; `config` is the file in use or null. */
export function verboseVersion(config: string | null): string {
  const b = buildInfo();
  return [
    `midgram ${b.version}`,
    `commit:     ${b.commit}`,
    `built:      ${b.date === "source" ? "from source" : `${b.date} (${b.kind})`}`,
    `runtime:    ${b.runtime}`,
    `dialects:   ${DIALECTS.join(", ")}`,
    `transports: ${TRANSPORTS.join(", ")}`,
    `config:     ${config ?? "none"}`,
  ].join("\n") + "\n";
}

/** The configuration file `loadConfig` would read, or null; a broken one is named with why. */
export function configInUse(env: Record<string, string | undefined>): string | null {
  try {
    return loadConfig({ env }).file;
  } catch (error) {
    return `${env.MIDGRAM_CONFIG ?? "?"} (unusable: ${
      error instanceof Error ? error.message : error
    })`;
  }
}

/** One line for `doctor`: the version, the commit, the build, the runtime and the config file. */
export function versionLine(config: string | null): string {
  const b = buildInfo();
  return `midgram ${b.version} (commit ${b.commit.slice(0, 12)}, ${
    b.date === "source" ? "from source" : `built ${b.date} as ${b.kind}`
  }, ${b.runtime}), config ${config ?? "none"}`;
}
