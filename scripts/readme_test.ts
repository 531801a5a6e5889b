import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EXIT_STATUSES, exitStatusHelp } from "../lib/errors.ts";
import { cli } from "../cli/main.ts";
import { captureIo } from "../cli/io.ts";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");

test("the README's exit-status table is EXIT_STATUSES, row for row", () => {
  const start = README.indexOf("<!-- exit-table:");
  assert.ok(start >= 0, "the README marks its exit table");
  const rows = README.slice(start).split("\n").slice(3).filter((l) => l.startsWith("| "));
  const table = rows.slice(0, EXIT_STATUSES.length);
  assert.deepEqual(table, EXIT_STATUSES.map((e) => `| ${e.label} | ${e.meaning} |`));
});

test("every subcommand's --help shows the same exit-status table", async () => {
  for (const command of ["send", "serve", "doctor", "exporter", "parse", "fuzz"]) {
    const io = captureIo();
    assert.equal(await cli([command, "--help"], io), 0);
    assert.ok(io.out().includes(exitStatusHelp()), `${command} --help`);
  }
});

test("the quick start's first command is a clean run: exit 0, no error, no warning", async () => {
  const line = README.split("\n").find((l) =>
    l.startsWith("npm ci && npm run build && dist/midgram ")
  );
  assert.ok(line, "the quick start runs dist/midgram after the build");
  const args = line.split("#")[0].trim().split(/\s+/).slice(
    line.split(/\s+/).indexOf("dist/midgram") + 1,
  );
  const root = new URL("..", import.meta.url).pathname;
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  assert.equal(await cli(args.map((a) => (a.includes("/") ? root + a : a)), io), 0, io.err());
  assert.match(io.err(), /^ok: [1-9]\d* files checked, 0 invalid, 0 errors, 0 warnings\n$/);
});
