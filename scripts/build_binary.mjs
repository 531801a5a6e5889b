// Builds dist/midgram: an esbuild CJS bundle of cli/sea_main.ts, made into a
// Node single executable application (SEA) with the unix-dgram addon inside
// as an asset. Also writes dist/midgram.cjs (the bundle, runnable with node).
//
//   node scripts/build_binary.mjs
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const require = createRequire(import.meta.url);

function step(name, fn) {
  try {
    return fn();
  } catch (error) {
    console.error(`build failed at "${name}": ${error.message ?? error}`);
    process.exit(1);
  }
}

mkdirSync(dist, { recursive: true });
const bundle = join(dist, "midgram.cjs");
await esbuild.build({
  entryPoints: [join(root, "cli/sea_main.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile: bundle,
  minify: true,
  keepNames: true,
  sourcemap: "linked",
  external: ["unix-dgram", "*.node"],
  // import.meta.url is only used by the non-SEA fallback loader, which the
  // binary never calls; give it a harmless value in CJS.
  define: { "import.meta.url": "__import_meta_url" },
  banner: { js: 'var __import_meta_url = require("url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
}).catch((error) => {
  console.error(`build failed at "esbuild": ${error.message}`);
  process.exit(1);
});

const addon = step(
  "find the unix-dgram addon",
  () => require.resolve("unix-dgram/build/Release/unix_dgram.node"),
);
const blob = join(dist, "midgram.blob");
const config = join(dist, "sea-config.json");
writeFileSync(
  config,
  JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets: { "unix_dgram.node": addon },
  }),
);
step(
  "node --experimental-sea-config",
  () => execFileSync(process.execPath, ["--experimental-sea-config", config], { stdio: "pipe" }),
);
const exe = join(dist, "midgram");
rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
step("postject", () =>
  execFileSync(
    join(root, "node_modules/.bin/postject"),
    [
      exe,
      "NODE_SEA_BLOB",
      blob,
      "--sentinel-fuse",
      "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
    ],
    { stdio: "pipe" },
  ));
rmSync(blob, { force: true });
rmSync(config, { force: true });
const size = statSync(exe).size;
console.error(`built ${exe} (${(size / 1024 / 1024).toFixed(1)} MiB)`);
