import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VERSION } from "../lib/version.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const deno = JSON.parse(readFileSync(`${root}deno.json`, "utf8"));

test("package.json and deno.json export the same entry points", () => {
  const npmKeys = Object.keys(pkg.exports).filter((k) => k !== "./package.json").sort();
  const denoKeys = Object.keys(deno.exports).sort();
  assert.deepEqual(npmKeys, denoKeys);
  for (const [key, target] of Object.entries(deno.exports as Record<string, string>)) {
    assert.ok(existsSync(`${root}${target}`), `deno.json export ${key}: ${target} is missing`);
    // Each npm entry is the build of the same source file.
    const npm = pkg.exports[key];
    assert.ok(npm.import && npm.types, `package.json export ${key} has import and types`);
    const built = npm.import.replace(/^\.\//, root);
    assert.ok(existsSync(built), `${npm.import} is missing: run npm run build first`);
    assert.ok(
      existsSync(npm.types.replace(/^\.\//, root)),
      `${npm.types} is missing: run npm run build first`,
    );
  }
});

test("package.json, deno.json and lib/version.ts agree on the version and name", () => {
  assert.equal(pkg.version, VERSION);
  assert.equal(deno.version, VERSION);
  assert.equal(deno.name.split("/")[1], pkg.name);
});

test("the npm bin points at a built file with a shebang", () => {
  const bin = `${root}${pkg.bin.midgram}`;
  assert.ok(existsSync(bin), `${pkg.bin.midgram} is missing: run npm run build first`);
  assert.match(readFileSync(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
});

test("deno.json has what JSR needs to publish mod.ts", () => {
  assert.ok(deno.name.startsWith("@"));
  assert.ok(deno.license);
  assert.ok(deno.publish.include.includes("mod.ts"));
  // The npm packages the library imports resolve under Deno through the import map.
  for (const dep of ["fast-check", "smol-toml", "unix-dgram"]) {
    assert.equal(
      deno.imports?.[dep],
      `npm:${dep}@${pkg.dependencies[dep]}`,
      `deno.json imports ${dep}`,
    );
  }
});
