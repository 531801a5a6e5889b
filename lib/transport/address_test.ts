import { test } from "node:test";
import assert from "node:assert/strict";
import { formatAddress, parseAddress, sameAddress } from "./address.ts";
import { MidgramError } from "../errors.ts";

test("parseAddress() reads every notation of PROTOCOL.md §1", () => {
  assert.deepEqual(parseAddress("/tmp/x.sock"), { kind: "unix", path: "/tmp/x.sock" });
  assert.deepEqual(parseAddress("unix:/tmp/x.sock"), { kind: "unix", path: "/tmp/x.sock" });
  assert.deepEqual(parseAddress("./x.sock"), { kind: "unix", path: "./x.sock" });
  assert.deepEqual(parseAddress("udp:127.0.0.1:8080"), {
    kind: "udp",
    host: "127.0.0.1",
    port: 8080,
  });
  assert.deepEqual(parseAddress("udp:::1:8080"), { kind: "udp", host: "::1", port: 8080 });
  assert.deepEqual(parseAddress("udp:[::1]:8080"), { kind: "udp", host: "::1", port: 8080 });
  assert.deepEqual(parseAddress("udp:localhost:0"), { kind: "udp", host: "localhost", port: 0 });
});

test("parseAddress() rejects bad notation, naming the value", () => {
  const cases: [string, RegExp][] = [
    ["udp:127.0.0.1", /udp:127\.0\.0\.1.*port "127\.0\.0\.1"|missing port/],
    ["udp:host:99999", /port "99999"/],
    ["udp::8080", /missing host/],
    ["tcp:1.2.3.4:5", /unknown scheme "tcp:"/],
    ["relative.sock", /expected a \/path/],
    ["unix:", /empty path/],
    ["/" + "x".repeat(120), /UNIX sockets allow 107/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseAddress(text), (e: unknown) => {
      assert.ok(e instanceof MidgramError);
      assert.equal(e.code, "usage");
      assert.ok(e.message.includes(`"${text}"`), e.message);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

test("formatAddress() prints IPv6 in brackets and round-trips", () => {
  for (const text of ["/tmp/a.sock", "udp:127.0.0.1:1", "udp:[::1]:65535"]) {
    assert.equal(formatAddress(parseAddress(text)), text);
  }
  assert.equal(formatAddress(parseAddress("udp:::1:8080")), "udp:[::1]:8080");
});

test("sameAddress() matches v4-mapped IPv6 with IPv4", () => {
  assert.ok(
    sameAddress(parseAddress("udp:127.0.0.1:5"), {
      kind: "udp",
      host: "::ffff:127.0.0.1",
      port: 5,
    }),
  );
  assert.ok(!sameAddress(parseAddress("udp:127.0.0.1:5"), parseAddress("udp:127.0.0.1:6")));
  assert.ok(!sameAddress(parseAddress("/a"), parseAddress("udp:127.0.0.1:6")));
});
