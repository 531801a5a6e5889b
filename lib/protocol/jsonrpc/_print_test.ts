import { test } from "node:test";
import assert from "node:assert/strict";
import { printJson } from "./_print.ts";
import { Double, Members } from "../value.ts";

const t = (u: Uint8Array | null) => u === null ? null : new TextDecoder().decode(u);

test("printJson() writes compact cJSON with its escapes", () => {
  const v = new Members([["a", 'x"\\\n\u0001/é'], ["a", [1, new Double(2), 0.25, null, true]], [
    "e",
    {},
  ], ["l", []]]);
  assert.equal(
    t(printJson(v, { flavour: "opensips", pretty: false, limit: null })),
    '{"a":"x\\"\\\\\\n\\u0001/é","a":[1,2,0.250000,null,true],"e":{},"l":[]}',
  );
});

test("printJson() writes Kamailio's formatted layout", () => {
  const v = new Members([["r", [{ a: 1 }, { b: [] }]], ["e", {}]]);
  assert.equal(
    t(printJson(v, { flavour: "kamailio", pretty: true, limit: null })),
    '{\n\t"r":\t[{\n\t\t\t"a":\t1\n\t\t}, {\n\t\t\t"b":\t[]\n\t\t}],\n\t"e":\t{\n\t}\n}',
  );
});

test("printJson() cuts strings at a NUL, as C strings end there", () => {
  assert.equal(t(printJson("ab\0cd", { flavour: "opensips", pretty: false, limit: null })), '"ab"');
  assert.equal(
    t(printJson(new Uint8Array([0x61, 0xff]), { flavour: "opensips", pretty: false, limit: null })),
    '"a\xff"'.replace("\xff", "\ufffd"),
  );
});

test("printJson() refuses what does not fit cJSON's buffer, counting its reserve", () => {
  const s = "x".repeat(10);
  // '"' + 10 + '"' needs 10 + 3 bytes (the NUL included).
  assert.equal(t(printJson(s, { flavour: "opensips", pretty: false, limit: 13 })), `"${s}"`);
  assert.equal(printJson(s, { flavour: "opensips", pretty: false, limit: 12 }), null);
  // An integer reserves 21 bytes even when it prints as one digit.
  assert.equal(printJson([1], { flavour: "opensips", pretty: false, limit: 21 }), null);
  assert.equal(t(printJson([1], { flavour: "opensips", pretty: false, limit: 23 })), "[1]");
});
