// Runs the doc examples (`deno test --doc`) of the library's public modules:
// mod.ts and every source file under the library folders below, test files
// and private test helpers excepted. Listing files (not folders) makes Deno
// run only their examples, so the tests themselves are not run twice.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const ROOTS = [
  "lib/protocol",
  "lib/server",
  "lib/client",
  "lib/transport",
  "lib/config",
  "lib/mcp",
];
const FILES = [
  "mod.ts",
  "lib/runtime.ts",
  "lib/errors.ts",
  "lib/duration.ts",
  "lib/socket_spec.ts",
];

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "testing") walk(path, out);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

const files = [...FILES, ...ROOTS.flatMap((root) => walk(root, []))].sort();
const result = spawnSync(
  "./node_modules/deno/deno",
  ["test", "--doc", "--unstable-net", "--allow-all", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
