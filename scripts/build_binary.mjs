// Builds dist/midgram, a single executable that needs neither Node nor
// node_modules:
//
//   1. esbuild bundles cli/sea_main.ts into dist/midgram.cjs (CommonJS, with
//      a source map beside it; runnable with plain node for debugging);
//   2. node --experimental-sea-config runs that bundle once and takes a V8
//      start-up snapshot of it (useSnapshot: about a third faster to start
//      than useCodeCache, see scripts/bench_startup.mjs), together with the
//      unix-dgram native addon as the asset "unix_dgram.node";
//      packages only some subcommands use (LAZY below) are bundled apart, as
//      assets, and load on first use: they stay out of the snapshot that
//      every start deserializes (see cli/_lazy.ts);
//   3. a copy of this node executable gets the blob injected (postject).
//
//   node scripts/build_binary.mjs                  (npm run build)
//   node scripts/build_binary.mjs --no-snapshot    (useCodeCache instead)
//
// Any failing step stops the build with its name and a non-zero exit status.
// Every file is first written under a name of this build's own and renamed
// into place at the end: tests running dist/midgram while another build runs
// never find it missing or half written, and two builds do not mix files.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildStampDefine } from "./_build_stamp.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const EXECUTABLE = join(DIST, "midgram");
const BUNDLE = join(DIST, "midgram.cjs");
// This build's own names, in dist/ so that renaming them is atomic and the
// source map's relative paths stay right.
const WORK = join(DIST, `.build-${process.pid}`);
const WORK_EXECUTABLE = `${WORK}-midgram`;
const WORK_BUNDLE = `${WORK}-midgram.cjs`;
const WORK_BLOB = `${WORK}.blob`;
const WORK_SEA_CONFIG = `${WORK}-sea-config.json`;
const WORK_TRIM = `${WORK}-malloc_trim.node`;
const WORK_LAZY = `${WORK}-lazy`;
const WORK_FILES = [
  WORK_LAZY,
  WORK_EXECUTABLE,
  WORK_BUNDLE,
  `${WORK_BUNDLE}.map`,
  WORK_BLOB,
  WORK_SEA_CONFIG,
  WORK_TRIM,
];
/** What the build put in the executable, for the tests (`dist/midgram.build.json`). */
const BUILD_INFO = join(DIST, "midgram.build.json");
// The fuse string Node looks for to know that a blob was injected.
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const require = createRequire(import.meta.url);

/**
 * Packages kept out of the start-up snapshot: each is bundled on its own into
 * `midgram.lazy/FILE` (an asset of the executable, and a file beside
 * dist/midgram.cjs) and replaced in the main bundle by a stand-in from
 * cli/_lazy.ts that loads it on first use. `key` is what the code imports:
 * "default" for `import x from "…"`, null for the whole exports (prom-client
 * is imported with `await import(…)`). About 3 ms of every start
 * (scripts/bench_startup.mjs); a package used at module level or by the
 * snapshot's warm-up would fail the build here.
 */
const LAZY = [
  { specifier: "fast-check", file: "fast-check.cjs", key: "default", kind: "object" }, // fuzz
  { specifier: "prom-client", file: "prom-client.cjs", key: null, kind: "object" }, // exporter
  {
    specifier: "@bomb.sh/tab/commander", // completions
    file: "bomb.sh-tab-commander.cjs",
    key: "default",
    kind: "function",
  },
];
const LAZY_DIR = "midgram.lazy";
const LAZY_MODULE = join(ROOT, "cli/_lazy.ts");
const SNAPSHOT = !process.argv.includes("--no-snapshot");

// Node's warnings about modules in snapshots: printed on every build, noise
// next to the actual error (the tests run the built executable).
const NODE_NOISE =
  /^\(node:\d+\) (Warning: It's not yet fully verified|ExperimentalWarning: Single executable)|^It may still work in some cases|^To request support for the module|^\(Use `node --trace-warnings/;

/** Runs one step; on failure prints which step and why, and exits 1. */
async function step(name, fn) {
  try {
    return await fn();
  } catch (error) {
    const detail = (String(error?.stderr ?? "").trim() || error?.message || String(error))
      // Node quotes the failing source line, which is the whole minified bundle.
      .split("\n").filter((line) => !NODE_NOISE.test(line)).map((line) =>
        line.length > 300 ? `${line.slice(0, 200)}…` : line
      ).join("\n");
    console.error(`Build failed at "${name}": ${detail}`);
    for (const file of WORK_FILES) rmSync(file, { recursive: true, force: true });
    process.exit(1);
  }
}

const started = performance.now();

await step("check the Node version", () => {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 12)) {
    throw new Error(
      `node ${process.versions.node} cannot build single executables (20.12 or later)`,
    );
  }
});

const addon = await step(
  "find the unix-dgram addon",
  () => require.resolve("unix-dgram/build/Release/unix_dgram.node"),
);

await step("create dist/", () => mkdirSync(DIST, { recursive: true }));

// native/malloc_trim.c, midgram's own Node-API addon (glibc's malloc_trim,
// which `serve` calls after a burst), compiled with cc against Node's
// headers: where they or cc are missing the executable is built without it
// and says so here; `serve` then keeps what glibc keeps.
const trimAddon = await step("compile native/malloc_trim.c", () => {
  const includes = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, "include", "node"),
    join(dirname(dirname(process.execPath)), "include", "node"),
    "/usr/include/node",
  ].filter((dir) => dir && existsSync(join(dir, "node_api.h")));
  if (includes.length === 0) {
    console.error("note: no Node headers (node_api.h): building without the malloc_trim helper");
    return null;
  }
  try {
    execFileSync("cc", [
      "-O2",
      "-shared",
      "-fPIC",
      "-DNODE_GYP_MODULE_NAME=midgram_malloc_trim",
      `-I${includes[0]}`,
      "-o",
      WORK_TRIM,
      join(ROOT, "native/malloc_trim.c"),
    ], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    return WORK_TRIM;
  } catch (error) {
    console.error(
      `note: cannot compile native/malloc_trim.c (${
        String(error.stderr || error.message).trim().split("\n")[0]
      }): building without the malloc_trim helper`,
    );
    return null;
  }
});

await step(`bundle ${LAZY.map((l) => l.specifier).join(", ")} apart`, async () => {
  const esbuild = await import("esbuild");
  mkdirSync(join(WORK_LAZY, LAZY_DIR), { recursive: true });
  for (const { specifier, file } of LAZY) {
    const from = JSON.stringify(specifier);
    await esbuild.build({
      stdin: {
        contents: `export * from ${from};\nexport { default } from ${from};\n`,
        resolveDir: ROOT,
        loader: "js",
      },
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile: join(WORK_LAZY, LAZY_DIR, file),
      minify: true,
      keepNames: true,
      logLevel: "silent",
    });
  }
});

/** Resolves each LAZY package, in the main bundle, to its stand-in. */
const lazyStandIns = {
  name: "midgram-lazy",
  setup(build) {
    const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const filter = new RegExp(`^(${LAZY.map((l) => escape(l.specifier)).join("|")})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "midgram-lazy" }));
    build.onLoad({ filter: /.*/, namespace: "midgram-lazy" }, (args) => {
      const { specifier, file, key, kind } = LAZY.find((l) => l.specifier === args.path);
      const call = `lazyValue(${
        [specifier, `${LAZY_DIR}/${file}`, key, kind].map((v) => JSON.stringify(v)).join(", ")
      })`;
      const module = JSON.stringify(LAZY_MODULE);
      return {
        // A default import gets the stand-in as its default export; a whole
        // module (import(…)) is the stand-in itself, as CommonJS exports.
        contents: key === "default"
          ? `import { lazyValue } from ${module};\nexport default ${call};\n`
          : `const { lazyValue } = require(${module});\nmodule.exports = ${call};\n`,
        loader: "js",
        resolveDir: ROOT,
      };
    });
  },
};

await step("bundle cli/sea_main.ts with esbuild", async () => {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [join(ROOT, "cli/sea_main.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: WORK_BUNDLE,
    minify: true,
    keepNames: true, // readable function and class names in stack traces
    sourcemap: "linked", // renamed with the bundle at the end
    // The addon is an asset of the executable, never part of the bundle.
    external: ["unix-dgram", "*.node"],
    // import.meta.url is read only by the default addon loader, at run time,
    // which the executable replaces; plain `node dist/midgram.cjs` uses it to
    // find node_modules from dist/.
    define: {
      "import.meta.url": "__midgram_import_meta_url",
      ...buildStampDefine(ROOT, "single executable"),
    },
    banner: {
      js: 'var __midgram_import_meta_url = require("node:url").pathToFileURL(__filename).href;',
    },
    plugins: [lazyStandIns],
    logLevel: "silent",
  });
});

// esbuild escapes non-ASCII text, but not inside a regular expression
// literal: one such character makes V8 keep the whole bundle's source as a
// two-byte string, doubling what every start deserializes from the snapshot.
await step("check that the bundle is ASCII", () => {
  const bytes = readFileSync(WORK_BUNDLE);
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at >= 0) {
    const code = bytes.toString("latin1");
    throw new Error(
      `non-ASCII byte in the bundle: …${code.slice(Math.max(0, at - 40), at + 10)}…` +
        " (write the character as a \\u escape in its source)",
    );
  }
});

// Run the bundle once with plain node first: an error while loading the
// modules then shows TypeScript file names and lines (the snapshot step
// below would only show the minified bundle).
await step("run the bundle: node dist/midgram.cjs --version", () => {
  execFileSync(process.execPath, ["--enable-source-maps", WORK_BUNDLE, "--version"], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
});

/** The executable's assets, by key: the file each is read from. */
const ASSETS = {
  "unix_dgram.node": addon,
  ...(trimAddon ? { "malloc_trim.node": trimAddon } : {}),
  ...Object.fromEntries(
    LAZY.map(({ file }) => [`${LAZY_DIR}/${file}`, join(WORK_LAZY, LAZY_DIR, file)]),
  ),
};

await step(`node --experimental-sea-config (${SNAPSHOT ? "snapshot" : "code cache"})`, () => {
  writeFileSync(
    WORK_SEA_CONFIG,
    JSON.stringify(
      {
        main: WORK_BUNDLE,
        output: WORK_BLOB,
        disableExperimentalSEAWarning: true,
        ...(SNAPSHOT ? { useSnapshot: true } : { useCodeCache: true }),
        assets: ASSETS,
      },
      null,
      2,
    ),
  );
  const run = spawnSync(process.execPath, ["--experimental-sea-config", WORK_SEA_CONFIG], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  // The warm-up's warnings (a failed request, a lazy package used too early)
  // fail the build: the executable would start slower than it should.
  const warnings = run.stderr.split("\n").filter((line) => line.startsWith("midgram: warning"));
  if (run.status !== 0 || warnings.length > 0) {
    throw Object.assign(new Error(`exit status ${run.status}`), { stderr: run.stderr });
  }
});

await step(`copy ${process.execPath}`, () => {
  copyFileSync(process.execPath, WORK_EXECUTABLE);
  chmodSync(WORK_EXECUTABLE, 0o755);
});

await step("inject the blob with postject", async () => {
  const { inject } = require("postject");
  // postject logs progress and, on Linux, harmless "Can't find string offset
  // for section name" warnings: keep them, but show them only on failure.
  const { log, warn } = console;
  const messages = [];
  console.log = console.warn = (...args) => messages.push(args.join(" "));
  try {
    await inject(WORK_EXECUTABLE, "NODE_SEA_BLOB", readFileSync(WORK_BLOB), {
      sentinelFuse: SEA_FUSE,
    });
  } catch (error) {
    error.message = [...messages, error.message].join("\n");
    throw error;
  } finally {
    Object.assign(console, { log, warn });
  }
  chmodSync(WORK_EXECUTABLE, 0o755);
});

await step("check that the executable starts", () => {
  execFileSync(WORK_EXECUTABLE, ["--version"], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
});

await step("move the files into place", () => {
  const linked = `//# sourceMappingURL=${basename(WORK_BUNDLE)}.map`;
  const code = readFileSync(WORK_BUNDLE, "utf8");
  if (!code.trimEnd().endsWith(linked)) throw new Error(`no "${linked}" at the end of the bundle`);
  const at = code.lastIndexOf(linked);
  writeFileSync(WORK_BUNDLE, `${code.slice(0, at)}//# sourceMappingURL=${basename(BUNDLE)}.map\n`);
  renameSync(`${WORK_BUNDLE}.map`, `${BUNDLE}.map`);
  renameSync(WORK_BUNDLE, BUNDLE);
  renameSync(WORK_EXECUTABLE, EXECUTABLE);
  // Read only by plain `node dist/midgram.cjs`: the executable has its own copies.
  rmSync(join(DIST, LAZY_DIR), { recursive: true, force: true });
  renameSync(join(WORK_LAZY, LAZY_DIR), join(DIST, LAZY_DIR));
  writeFileSync(
    BUILD_INFO,
    JSON.stringify({ assets: Object.keys(ASSETS) }) + "\n",
  );
  for (const file of WORK_FILES) rmSync(file, { recursive: true, force: true });
});
const size = statSync(EXECUTABLE).size / 1024 / 1024;
const seconds = (performance.now() - started) / 1000;
console.log(
  `Built ${relative(process.cwd(), EXECUTABLE) || EXECUTABLE}: ${size.toFixed(1)} MiB in ${
    seconds.toFixed(1)
  } s`,
);
