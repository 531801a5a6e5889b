// The doc examples as modules: every ```ts block of a doc comment (`/** … */`)
// in mod.ts and the source files under lib/ and cli/ (test files excepted)
// becomes a module of its own under .doc-examples/, its relative imports
// pointing back at the source file's folder, plus one runner that imports
// them one by one as tests (Deno.test on Deno, node:test on Node). `npm run
// check` type-checks them with the rest of the code (tsconfig.json includes
// the folder); `npm run test:doc` runs them on both runtimes.
//
// One process per runtime instead of one module graph per example: `deno test
// --doc` starts a fresh worker for each of the ~200 examples, which took 35 s
// of a 2-core machine for tests that run in under 2 s together.
//
//   node scripts/doc_examples.mjs     # writes .doc-examples/, prints how many
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT = join(ROOT, ".doc-examples");
const ROOTS = ["lib", "cli"];
const FILES = ["mod.ts"];
// The program's entries run it when loaded; the executable's entry imports
// `node:sea`, which only Node's single executable has.
const SKIP = new Set([join("cli", "bin.ts"), join("cli", "sea_main.ts")]);

// The examples of a runtime's own adapter run on that runtime only.
const ONLY = new Map([["lib/transport/deno.ts", "deno"]]);

function walk(dir, out) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts") && !SKIP.has(path)) {
      out.push(path);
    }
  }
  return out;
}

/**
 * The examples of one source text: each ```ts block inside a doc comment,
 * with the line of its opening fence (1-based). A block marked `ts ignore`
 * is shown, not run.
 */
export function examplesOf(text) {
  const lines = text.split("\n");
  const found = [];
  let inDoc = false;
  let block = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!inDoc) {
      if (/^\s*\/\*\*/.test(line) && !/\*\/\s*$/.test(line)) inDoc = true;
      continue;
    }
    if (/^\s*\*\/\s*$/.test(line) || /\*\/\s*$/.test(line)) {
      if (block) throw new Error(`line ${block.line}: a code block does not end in its comment`);
      inDoc = false;
      continue;
    }
    const body = line.replace(/^\s*\* ?/, "");
    if (block) {
      if (/^```\s*$/.test(body)) {
        found.push(block);
        block = null;
      } else block.code.push(body);
    } else if (/^```(ts|typescript)\s*$/.test(body)) {
      block = { line: i + 1, code: [] };
    }
  }
  return found;
}

/** The example's code with its relative imports made to point at `from`'s folder. */
function relocate(code, sourceFile, moduleFile) {
  const toSource = (spec) => {
    if (!spec.startsWith("./") && !spec.startsWith("../")) return spec;
    const target = join(dirname(sourceFile), spec);
    let rel = relative(dirname(moduleFile), target).split(sep).join("/");
    if (!rel.startsWith(".")) rel = `./${rel}`;
    return rel;
  };
  return code
    .replace(/(\bfrom\s*)"([^"]+)"/g, (_, a, s) => `${a}"${toSource(s)}"`)
    .replace(/(\bimport\s*\(\s*)"([^"]+)"/g, (_, a, s) => `${a}"${toSource(s)}"`)
    .replace(/^(\s*import\s*)"([^"]+)"/gm, (_, a, s) => `${a}"${toSource(s)}"`);
}

/** Writes .doc-examples/ afresh; returns the examples as `{ name, module }`. */
export function writeExamples() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const sources = [...FILES, ...ROOTS.flatMap((root) => walk(root, []))].sort();
  const examples = [];
  const unasserted = [];
  for (const source of sources) {
    const text = readFileSync(join(ROOT, source), "utf8");
    let found;
    try {
      found = examplesOf(text);
    } catch (error) {
      throw new Error(`${source}: ${error.message}`);
    }
    for (const example of found) {
      const name = `${source.split(sep).join("/")}:${example.line}`;
      // An example shows a result by asserting it: a comment could go stale
      // (one did) and no run would notice.
      if (!/\bassert(\.\w+)?\(/.test(example.code.join("\n"))) unasserted.push(name);
      const module = `${source.split(sep).join("_").replace(/\.ts$/, "")}_${example.line}.ts`;
      const file = join(OUT, module);
      const code = relocate(example.code.join("\n"), join(ROOT, source), file);
      // `export {}` makes a module of an example without imports or exports.
      writeFileSync(
        file,
        `// ${name} (written by scripts/doc_examples.mjs)\n${code}\nexport {};\n`,
      );
      examples.push({ name, module, only: ONLY.get(source.split(sep).join("/")) ?? null });
    }
  }
  if (unasserted.length > 0) {
    throw new Error(`doc examples that assert nothing: ${unasserted.join(", ")}`);
  }
  const runner = [
    "// Runs every doc example as a test: written by scripts/doc_examples.mjs.",
    'import { test as nodeTest } from "node:test";',
    "",
    "type DenoTest = { name: string; ignore?: boolean; fn: () => Promise<void> };",
    "const deno = (globalThis as { Deno?: { test(t: DenoTest): void } }).Deno;",
    'const runtime = deno ? "deno" : "node";',
    "",
    "function example(name: string, only: string | null, run: () => Promise<unknown>): void {",
    "  const ignore = only !== null && only !== runtime;",
    "  const fn = async () => {",
    "    await run();",
    "  };",
    "  if (deno) deno.test({ name, ignore, fn });",
    "  else nodeTest(name, { skip: ignore ? `runs on ${only} only` : false }, fn);",
    "}",
    "",
    ...examples.map((e) =>
      `example(${JSON.stringify(e.name)}, ${JSON.stringify(e.only)}, () => import(${
        JSON.stringify(`./${e.module}`)
      }));`
    ),
    "",
  ].join("\n");
  writeFileSync(join(OUT, "run.ts"), runner);
  return examples;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const examples = writeExamples();
    console.error(`doc examples: ${examples.length} written to ${relative(ROOT, OUT)}/`);
  } catch (error) {
    console.error(`doc examples: ${error.message}`);
    process.exit(1);
  }
}
