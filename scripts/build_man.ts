// Writes the manual pages into dist/man/man1 and dist/man/man5, made from
// the CLI's --help definitions and README.md (see cli/_man.ts):
//
//   node scripts/build_man.ts      (part of npm run build)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { manPages } from "../cli/_man.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "dist", "man");
const pages = manPages(
  readFileSync(join(ROOT, "README.md"), "utf8"),
  readFileSync(join(ROOT, "midgram.example.toml"), "utf8"),
);
rmSync(OUT, { recursive: true, force: true });
for (const page of pages) {
  const dir = join(OUT, `man${page.file.slice(-1)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, page.file), page.text);
}
console.log(`built ${pages.length} manual pages in dist/man`);
