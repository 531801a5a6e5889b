import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureIo } from "./io.ts";
import { cli } from "./main.ts";
import { MAN_SUBCOMMANDS, manPages, readmeSection } from "./_man.ts";
import { ROOT, SPAWNS_ONLY } from "./e2e/_processes.ts";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const EXAMPLE = readFileSync(join(ROOT, "midgram.example.toml"), "utf8");
const pages = manPages(README, EXAMPLE);
const page = (file: string) => pages.find((p) => p.file === file)!.text;
/** Roff text back to plain characters, for comparing with --help. */
const plain = (roff: string) => roff.replace(/\\-/g, "-").replace(/\\e/g, "\\").replace(/\\&/g, "");

test("manPages() makes midgram(1), one page per subcommand and midgram.toml(5)", () => {
  assert.deepEqual(pages.map((p) => p.file).sort(), [
    "midgram-completions.1",
    "midgram-doctor.1",
    "midgram-exporter.1",
    "midgram-fuzz.1",
    "midgram-kamcmd.1",
    "midgram-mcp.1",
    "midgram-parse.1",
    "midgram-send.1",
    "midgram-serve.1",
    "midgram-top.1",
    "midgram.1",
    "midgram.toml.5",
  ]);
});

for (const name of MAN_SUBCOMMANDS.filter((n) => n !== "kamcmd")) {
  test(`manPages(): midgram-${name}(1) lists every option, example and exit status of --help`, async () => {
    const io = captureIo();
    assert.equal(await cli([name, "--help"], io), 0);
    const text = plain(page(`midgram-${name}.1`));
    const help = io.out();
    const terms = [...help.matchAll(/^ {2}(-\S.*?)(?: {2,}|$)/gm)].map((m) => m[1]);
    assert.ok(terms.length >= 1, help);
    for (const term of terms) assert.ok(text.includes(`\\fB${term}\\fR`), `${name}: ${term}`);
    for (const example of help.matchAll(/^ {2}(\$ .*)$/gm)) {
      assert.ok(text.includes(example[1]), `${name}: ${example[1]}`);
    }
    if (/Exit status:/.test(help)) assert.match(text, /\.SH EXIT STATUS\n[^]*128\+N/);
  });
}

test("manPages(): each page carries its README section's subsections and code", () => {
  for (
    const [file, heading] of [
      ["midgram-send.1", "## `midgram send`"],
      ["midgram-serve.1", "## `midgram serve`"],
      ["midgram-exporter.1", "## `midgram exporter`"],
      ["midgram-kamcmd.1", "## Migrating from kamcmd"],
      ["midgram.toml.5", "## Configuration"],
    ]
  ) {
    const section = readmeSection(README, heading);
    const text = plain(page(file));
    for (const sub of section.matchAll(/^### (.*)$/gm)) {
      assert.ok(text.includes(`.SS ${sub[1].replace(/`/g, "")}`), `${file}: ${sub[1]}`);
    }
    const code = /```\w*\n(.*)\n/.exec(section);
    if (code) assert.ok(text.includes(code[1]), `${file}: ${code[1]}`);
  }
  assert.ok(
    plain(page("midgram.toml.5")).includes(EXAMPLE.split("\n").find((l) => l.startsWith("["))!),
  );
});

test("readmeSection() names a missing section rather than making an empty page", () => {
  assert.throws(() => readmeSection(README, "## No such section"), /README has no section/);
});

test("the built pages in dist/man are the ones the sources make now", {
  skip: existsSync(join(ROOT, "dist/man")) ? undefined : "needs dist/man (npm run build)",
}, () => {
  for (const p of pages) {
    const built = readFileSync(join(ROOT, "dist/man", `man${p.file.slice(-1)}`, p.file), "utf8");
    assert.equal(built, p.text, `${p.file} is stale: run npm run build`);
  }
});

const hasMan = spawnSync("man", ["--version"]).status === 0;

test("man -l renders every page without a warning", {
  skip: SPAWNS_ONLY || (hasMan ? undefined : "needs man (man-db)"),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-man-"));
  try {
    for (const p of pages) {
      const file = join(dir, p.file);
      writeFileSync(file, p.text);
      const r = spawnSync("man", ["--warnings", "-l", file], {
        env: { ...process.env, MANWIDTH: "80", MAN_KEEP_FORMATTING: "", LC_ALL: "C.UTF-8" },
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, "", `${p.file}: ${r.stderr}`);
      assert.match(r.stdout, /NAME/);
    }
    assert.equal(readdirSync(dir).length, pages.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
