import { test } from "node:test";
import assert from "node:assert/strict";
import { markdownToRoff, roffEscape, roffInline, roffPreformatted } from "./_roff.ts";

test("roffEscape() escapes backslashes and hyphens, and a leading dot or quote", () => {
  assert.equal(roffEscape("a\\b --socket"), "a\\eb \\-\\-socket");
  assert.equal(roffEscape(".hidden"), "\\&.hidden");
  assert.equal(roffEscape("'quoted"), "\\&'quoted");
});

test("roffInline() makes code and bold text bold and keeps a link's address", () => {
  assert.equal(roffInline("run `midgram -h` **now**"), "run \\fBmidgram \\-h\\fR \\fBnow\\fR");
  assert.equal(roffInline("[man](https://x.example/)"), "man <https://x.example/>");
  assert.equal(roffInline(".x `y`"), "\\&.x \\fBy\\fR");
});

test("roffPreformatted() keeps lines as they are, tabs as spaces", () => {
  assert.equal(roffPreformatted(["a\tb", ".c"]), ".PP\n.RS 4\n.nf\na    b\n\\&.c\n.fi\n.RE");
});

test("markdownToRoff() turns headings, lists, code and tables into man macros", () => {
  const roff = markdownToRoff(
    [
      "### Sub `x`",
      "",
      "Para one",
      "continued.",
      "",
      "* item one",
      "  more",
      "1. first",
      "",
      "```sh",
      "$ midgram send",
      "```",
      "",
      "| a | bb |",
      "| --- | --- |",
      "| ccc | d |",
    ].join("\n"),
  );
  assert.equal(
    roff,
    [
      ".SS Sub x",
      ".PP",
      "Para one",
      "continued.",
      ".IP \\(bu 4",
      "item one",
      "more",
      ".IP 1. 4",
      "first",
      ".PP\n.RS 4\n.nf\n$ midgram send\n.fi\n.RE",
      ".PP\n.RS 4\n.nf\na    bb\nccc  d\n.fi\n.RE",
    ].join("\n"),
  );
});
