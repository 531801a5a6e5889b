// Builds the npm package's files under dist/npm/: an ESM bundle of the CLI
// (the `bin`), an ESM bundle of the library (mod.ts), and type declarations.
// Dependencies stay external: npm installs them (unix-dgram builds on install).
//
//   node scripts/build_npm.mjs
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { buildStampDefine } from "./_build_stamp.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/npm");
rmSync(out, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  logLevel: "warning",
  define: buildStampDefine(root, "npm package"),
};
await esbuild.build({
  ...common,
  entryPoints: [join(root, "cli/bin.ts")],
  outfile: join(out, "cli.mjs"),
});
await esbuild.build({
  ...common,
  entryPoints: [join(root, "mod.ts")],
  outfile: join(out, "mod.mjs"),
});
execFileSync(
  join(root, "node_modules/.bin/tsc"),
  ["-p", join(root, "scripts/tsconfig.types.json")],
  {
    stdio: "inherit",
  },
);
// Declarations keep the sources' `.ts` specifiers: point them at the `.d.ts` files.
function rewrite(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rewrite(path);
    else if (name.endsWith(".d.ts")) {
      const text = readFileSync(path, "utf8").replace(
        /(from\s+["']\.{1,2}\/[^"']*?)\.ts(["'])/g,
        "$1.js$2",
      )
        .replace(/(import\(["']\.{1,2}\/[^"']*?)\.ts(["']\))/g, "$1.js$2");
      writeFileSync(path, text);
    }
  }
}
rewrite(join(out, "types"));
console.error(`built ${out}`);
