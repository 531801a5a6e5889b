import { test } from "node:test";
import assert from "node:assert/strict";
import { cExp, cFixed, cStrtod, cValueInt, formatCNumber, srjsonNumber } from "./_c_number.ts";

const b = (s: string) => new TextEncoder().encode(s);

test("formatCNumber() prints as cJSON and srjson do", () => {
  const cases: [number, string, string][] = [
    [0, "0", "0"],
    [1, "1", "1"],
    [-7, "-7", "-7"],
    [1.5, "1.500000", "1.500000"],
    [3e9, "3000000000", "3000000000"],
    [1234567890.5, "1.234568e+09", "1.234568e+09"],
    [1e-7, "1.000000e-07", "1.000000e-07"],
    [1e60, "1.000000e+60", "999999999999999949387135297074018866963645011013410073083904"],
    [NaN, "null", "-nan"],
    [0.0078125, "0.007812", "0.007812"],
  ];
  for (const [d, opensips, kamailio] of cases) {
    assert.equal(formatCNumber(d, "opensips"), opensips, `opensips ${d}`);
    assert.equal(formatCNumber(d, "kamailio"), kamailio, `kamailio ${d}`);
  }
});

test("cFixed() and cExp() round ties to even like glibc", () => {
  assert.equal(cFixed(0.5, 0), "0");
  assert.equal(cFixed(2.5, 0), "2");
  assert.equal(cFixed(-1.25, 1), "-1.2");
  assert.equal(cExp(9999999.5), "1.000000e+07");
  assert.equal(cExp(-2.5e-300), "-2.500000e-300");
});

test("cValueInt() saturates and truncates", () => {
  assert.equal(cValueInt(1.9), 1);
  assert.equal(cValueInt(-1.9), -1);
  assert.equal(cValueInt(1e10), 2147483647);
  assert.equal(cValueInt(-Infinity), -2147483648);
});

test("cStrtod() reads what glibc strtod reads", () => {
  const r = (s: string) => {
    const x = cStrtod(b(s), 0, s.length);
    return x && [x.value, x.end];
  };
  assert.deepEqual(r("12abc"), [12, 2]);
  assert.deepEqual(r("0x1F,"), [31, 4]);
  assert.deepEqual(r("0x"), [0, 1]);
  assert.deepEqual(r("1."), [1, 2]);
  assert.deepEqual(r("1e"), [1, 1]);
  assert.deepEqual(r("1e+5x"), [100000, 4]);
  assert.deepEqual(r("-inf"), [-Infinity, 4]);
  assert.deepEqual(r("-Infinity"), [-Infinity, 9]);
  assert.equal(r("-"), null);
  assert.ok(Number.isNaN(cStrtod(b("-nan(x1)"), 0, 8)!.value));
});

test("srjsonNumber() reads as Kamailio's digit loop does", () => {
  assert.deepEqual(srjsonNumber(b("-"), 0, 1), { value: -0, end: 1 });
  assert.deepEqual(srjsonNumber(b("1.x"), 0, 3), { value: 1, end: 1 });
  assert.deepEqual(srjsonNumber(b("0x1"), 0, 3), { value: 0, end: 1 });
  assert.deepEqual(srjsonNumber(b("25e-1"), 0, 5), { value: 2.5, end: 5 });
});
