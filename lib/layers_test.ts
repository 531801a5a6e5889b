// The seams, as imports: what may reach into lib/transport/ and lib/protocol/.
// Reads every source file of lib/ and cli/ (tests and testing/ helpers
// aside) and lists the imports that cross a seam the wrong way.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every source file below `dir`, as a path from the root with `/`. */
function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "testing") sources(path, out);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

/**
 * What a file imports: static imports and re-exports, side-effect and
 * dynamic imports; with `types: false`, not what only types come from.
 */
export function importsOf(text: string, options: { types?: boolean } = {}): string[] {
  const found: string[] = [];
  const patterns = [
    options.types === false
      ? /^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s*"([^"]+)"/gms
      : /^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gms,
    /^import\s*"([^"]+)"/gm,
    /\bimport\(\s*"([^"]+)"\s*\)/g,
  ];
  // Doc comments show imports too: only code counts.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

/** A file's imports, relative ones as paths from the root. */
function resolved(file: string, options: { types?: boolean } = {}): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return importsOf(text, options).map((spec) =>
    spec.startsWith(".") ? normalize(join(dirname(file), spec)).split(sep).join("/") : spec
  );
}

const FILES = [...sources("lib"), ...sources("cli"), "mod.ts"];

/**
 * What the rest of the code may take from lib/transport/: the interface, the
 * one factory (the runtime's transport or an in-memory network), and what
 * a transport knows of an address (its form, its name, whether something
 * serves it, who holds a FIFO open), its frame reader, its connection gate.
 * The adapters themselves (node.ts, deno.ts, memory.ts, fifo.ts, http.ts and
 * the private `_*.ts`) stay behind it.
 */
const TRANSPORT_FACES = new Set([
  "types.ts",
  "open.ts",
  "address.ts",
  "names.ts",
  "resolve_address.ts",
  "presence.ts",
  "fifo_readers.ts",
  "read_frames.ts",
  "connection_gate.ts",
  "shared_signal.ts",
]);

/** The package's entry, which hands the adapters to embedders by name. */
const PACKAGE_ENTRY = "mod.ts";

test("nothing outside lib/transport/ imports a concrete transport", () => {
  const wrong: string[] = [];
  for (const file of FILES) {
    if (file.startsWith("lib/transport/") || file === PACKAGE_ENTRY) continue;
    for (const target of resolved(file)) {
      if (!target.startsWith("lib/transport/")) continue;
      const name = target.slice("lib/transport/".length);
      if (!TRANSPORT_FACES.has(name)) wrong.push(`${file} -> ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("only lib/transport/ opens sockets: node:dgram, node:net and unix-dgram stay there", () => {
  const wrong: string[] = [];
  for (const file of FILES) {
    if (file.startsWith("lib/transport/")) continue;
    // A type (node:net's AddressInfo) opens nothing.
    for (const target of resolved(file, { types: false })) {
      if (["node:dgram", "dgram", "node:net", "net", "unix-dgram"].includes(target)) {
        wrong.push(`${file} -> ${target}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test("lib/server/ reaches a dialect only through the seam or the dialect's face", () => {
  const wrong: string[] = [];
  for (const file of FILES) {
    if (!file.startsWith("lib/server/")) continue;
    for (const target of resolved(file)) {
      if (!target.startsWith("lib/protocol/")) continue;
      const rest = target.slice("lib/protocol/".length).split("/");
      // lib/protocol/dialect.ts, dialects.ts, value.ts…: the seam and the values.
      if (rest.length === 1) continue;
      // lib/protocol/DIALECT/mod.ts: what the dialect offers the rest of the code.
      if (rest.length === 2 && rest[1] === "mod.ts") continue;
      wrong.push(`${file} -> ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("importsOf() reads code, not doc comments", () => {
  const text = [
    "/**",
    ' * import { x } from "./node.ts";',
    " */",
    'import { a,\n  b } from "./types.ts";',
    'export { c } from "./open.ts";',
    '// import { y } from "./deno.ts";',
    'const m = await import("./memory.ts");',
  ].join("\n");
  assert.deepEqual(importsOf(text), ["./types.ts", "./open.ts", "./memory.ts"]);
  const typed = 'import type { A } from "node:net";\nimport { b } from "node:dgram";';
  assert.deepEqual(importsOf(typed, { types: false }), ["node:dgram"]);
  assert.deepEqual(importsOf(typed), ["node:net", "node:dgram"]);
});

test("the rules see every source file", () => {
  assert.ok(FILES.length > 150, `${FILES.length} files`);
  assert.ok(FILES.includes("lib/server/server.ts"));
  assert.ok(relative(ROOT, join(ROOT, "lib")) === "lib");
});
