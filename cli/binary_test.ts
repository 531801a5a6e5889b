import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../lib/version.ts";

const BINARY = fileURLToPath(new URL("../dist/midgram", import.meta.url));

function run(binary: string, args: string[], options: { cwd?: string; input?: string } = {}) {
  assert.ok(existsSync(binary), `${binary} is missing: run npm run build first`);
  return spawnSync(binary, args, {
    encoding: "utf8",
    cwd: options.cwd,
    input: options.input,
    // No Node on PATH, no module search path: the binary must stand alone.
    env: { PATH: "/nonexistent", HOME: tmpdir() },
    timeout: 20_000,
  });
}

test("dist/midgram --version prints the version", () => {
  const result = run(BINARY, ["--version"]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `${VERSION}\n`);
  assert.equal(result.stderr, "");
});

test("dist/midgram --help prints usage on stdout", () => {
  const result = run(BINARY, ["--help"]);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^Usage: midgram /);
  assert.match(result.stdout, /parse/);
});

test("dist/midgram exits 2 on an unknown option, with the message on stderr only", () => {
  const result = run(BINARY, ["--no-such-option"]);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /unknown option '--no-such-option'/);
});

test("dist/midgram runs from a directory with no node_modules and no Node on PATH", () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-bin-"));
  try {
    const copy = join(dir, "midgram");
    copyFileSync(BINARY, copy);
    writeFileSync(join(dir, "bad.mi"), ":version:\r\n");
    const result = run(copy, ["parse", "bad.mi"], { cwd: dir });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^bad\.mi:1:10: error cr-in-first-line: /);
    const ok = run(copy, ["parse", "-"], { cwd: dir, input: ":version:\n" });
    assert.equal(ok.status, 0, ok.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
