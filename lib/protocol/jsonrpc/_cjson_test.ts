import { test } from "node:test";
import assert from "node:assert/strict";
import { getMember, readJson } from "./_cjson.ts";

const b = (s: string) => new TextEncoder().encode(s);
const text = (u: Uint8Array) => new TextDecoder().decode(u);

test("readJson() stops after the first value and ignores what follows", () => {
  const r = readJson(b('{"a":1} {"b":2}'), "opensips");
  assert.ok(r.ok);
  assert.equal(r.end, 7);
});

test("readJson() ends the text at the first NUL", () => {
  assert.equal(readJson(b('\0{"a":1}'), "opensips").ok, false);
  assert.ok(readJson(b('{"a":1}\0xx'), "opensips").ok);
});

test("readJson() reports the offset of the first error", () => {
  const r = readJson(b('{"a":1,}'), "opensips");
  assert.deepEqual(r.ok ? null : r.error, {
    offset: 7,
    message: "expected a member name in quotes but found '}'",
  });
});

test("readJson() keeps duplicates in order; getMember() matches any case, first wins", () => {
  const r = readJson(b('{"ID":1,"id":2}'), "opensips");
  assert.ok(r.ok && r.node.type === "object");
  assert.equal(r.node.members.length, 2);
  const m = getMember(r.node, "id");
  assert.equal(m?.value.type === "number" && m.value.value, 1);
});

test("readJson() unescapes as cJSON does and refuses what it refuses", () => {
  const r = readJson(b('"a\\u00e9\\ud83d\\ude00\\/"'), "opensips");
  assert.ok(r.ok && r.node.type === "string");
  assert.equal(text(r.node.bytes), "aé😀/");
  for (const bad of ['"\\x"', '"\\u0000"', '"\\udc00"', '"\\ud800x"', '"\\u12"']) {
    assert.equal(readJson(b(bad), "opensips").ok, false, bad);
  }
});

test("readJson() in the kamailio flavour keeps unknown escapes and never fails on a string", () => {
  const r = readJson(b('"a\\qb\\u0000c"'), "kamailio");
  assert.ok(r.ok && r.node.type === "string");
  assert.equal(text(r.node.bytes), "aqbc");
});

test("readJson() accepts an unterminated string at the top level only", () => {
  assert.ok(readJson(b('"abc'), "opensips").ok);
  assert.equal(readJson(b('{"a":"abc'), "opensips").ok, false);
});

test("readJson() refuses nesting deeper than its limit without throwing", () => {
  const r = readJson(b("[".repeat(5000)), "opensips");
  assert.equal(r.ok, false);
});

test("readJson() treats every byte from 1 to 32 as white space", () => {
  assert.ok(readJson(b("\x01\x1f[ 1 ,\x052 ]"), "opensips").ok);
});
