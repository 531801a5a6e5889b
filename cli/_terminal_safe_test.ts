import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { terminalSafe } from "./_terminal_safe.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

test("terminalSafe() shows OSC 52, a title, hidden text and a cursor move as JSON escapes", () => {
  assert.equal(
    terminalSafe("\x1b]52;c;ZWNobyBwd25lZA==\x07"),
    "\\u001b]52;c;ZWNobyBwd25lZA==\\u0007",
  );
  assert.equal(terminalSafe("\x1b]0;root@prod\x1b\\"), "\\u001b]0;root@prod\\u001b\\");
  assert.equal(terminalSafe("ok\x1b[8msecret\x1b[0m"), "ok\\u001b[8msecret\\u001b[0m");
  assert.equal(terminalSafe("fine\rFAKE\b"), "fine\\u000dFAKE\\u0008");
  // A lone ESC, at the end or before anything that is no sequence at all.
  assert.equal(terminalSafe("a\x1b"), "a\\u001b");
  assert.equal(terminalSafe("\x1bx"), "\\u001bx");
});

test("terminalSafe() shows every C0 control but tab and newline, DEL and every C1 control", () => {
  for (let c = 0; c <= 0x9f; c++) {
    const char = String.fromCharCode(c);
    const visible = c === 0x09 || c === 0x0a || (c >= 0x20 && c < 0x7f);
    assert.equal(
      terminalSafe(char),
      visible ? char : `\\u${c.toString(16).padStart(4, "0")}`,
      `U+${c.toString(16)}`,
    );
  }
  // The first characters after the C1 block, and printable text in any script, stay.
  assert.equal(terminalSafe("\xa0é☃𝄞 日本\tx\n"), "\xa0é☃𝄞 日本\tx\n");
});

test("terminalSafe() shows the same escapes JSON.stringify writes, so JSON stays JSON", () => {
  const value = { v: "a\x1b]52;c;x\x07\x7f\x9b\u0085\ud800z" };
  const shown = terminalSafe(JSON.stringify(value));
  assert.deepEqual(JSON.parse(shown), value);
  assert.doesNotMatch(shown, /[\x7f-\x9f]/);
});

test("terminalSafe() shows a lone surrogate, keeps a pair", () => {
  assert.equal(terminalSafe("a\ud800b\udc00"), "a\\ud800b\\udc00");
  assert.equal(terminalSafe("\ud834\udd1e"), "\ud834\udd1e");
});

test("terminalSafe() decodes UTF-8 bytes, each ill-formed byte shown as \\xNN", () => {
  assert.equal(terminalSafe(bytes(0x68, 0xc3, 0xa9, 0x0a)), "hé\n");
  // C1 controls as UTF-8 (C2 9B is CSI) are code points; a bare 9B byte is a byte.
  assert.equal(terminalSafe(bytes(0xc2, 0x9b, 0x32, 0x4a)), "\\u009b2J");
  assert.equal(terminalSafe(bytes(0x9b, 0x32, 0x4a)), "\\x9b2J");
  assert.equal(terminalSafe(bytes(0x1b, 0x5d, 0xff, 0x07)), "\\u001b]\\xff\\u0007");
  // Overlong forms, surrogates, beyond U+10FFFF and cut sequences are ill-formed.
  assert.equal(terminalSafe(bytes(0xc0, 0x9b)), "\\xc0\\x9b");
  assert.equal(terminalSafe(bytes(0xe0, 0x80, 0x9b)), "\\xe0\\x80\\x9b");
  assert.equal(terminalSafe(bytes(0xed, 0xa0, 0x80)), "\\xed\\xa0\\x80");
  assert.equal(terminalSafe(bytes(0xf4, 0x90, 0x80, 0x80)), "\\xf4\\x90\\x80\\x80");
  assert.equal(terminalSafe(bytes(0x61, 0xe2, 0x98)), "a\\xe2\\x98");
  assert.equal(terminalSafe(bytes(0xe2, 0x98, 0x41)), "\\xe2\\x98A");
  // The longest forms that are well-formed, and a byte order mark (kept, not dropped).
  assert.equal(terminalSafe(bytes(0xf4, 0x8f, 0xbf, 0xbf)), "\u{10ffff}");
  assert.equal(terminalSafe(bytes(0xef, 0xbb, 0xbf, 0x61)), "\ufeffa");
});

/** Strings of UTF-16 code units, mostly around the controls and the surrogates. */
const codeUnits = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 0xa0 }),
    fc.integer({ min: 0xd7f0, max: 0xe010 }),
    fc.integer({ min: 0, max: 0xffff }),
  ),
  { maxLength: 64 },
).map((units) => String.fromCharCode(...units));

test("terminalSafe() leaves nothing a terminal obeys and changes nothing else", () => {
  const unsafe =
    // deno-lint-ignore no-control-regex
    /[\0-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  fc.assert(
    fc.property(codeUnits, (text) => {
      const shown = terminalSafe(text);
      assert.doesNotMatch(shown, unsafe);
      if (!unsafe.test(text)) assert.equal(shown, text);
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
      const shown = terminalSafe(input);
      assert.doesNotMatch(shown, unsafe);
      // Well-formed UTF-8 decodes as TextDecoder does; each ill-formed byte is one \xNN.
      const strict = (() => {
        try {
          return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input);
        } catch {
          return null;
        }
      })();
      if (strict !== null) assert.equal(shown, terminalSafe(strict));
      else assert.match(shown, /\\x[89a-f][0-9a-f]/);
    }),
  );
});
