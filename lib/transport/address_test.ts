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
    ["tcp:1.2.3.4:5", /only UNIX datagram and UDP sockets/],
    ["ftp:1.2.3.4:5", /unknown scheme "ftp:"/],
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

test("parseAddress(text, options) reads the stream, FIFO and HTTP notations", () => {
  const any = (text: string) => parseAddress(text, {});
  assert.deepEqual(any("unixs:/run/ctl"), { kind: "unix-stream", path: "/run/ctl" });
  assert.deepEqual(any("UNIXS:/run/ctl"), { kind: "unix-stream", path: "/run/ctl" });
  assert.deepEqual(any("unixd:/run/ctld"), { kind: "unix", path: "/run/ctld" });
  assert.deepEqual(any("unix:/run/mi"), { kind: "unix", path: "/run/mi" });
  assert.deepEqual(any("/run/mi"), { kind: "unix", path: "/run/mi" });
  assert.deepEqual(any("tcp:127.0.0.1:2047"), { kind: "tcp", host: "127.0.0.1", port: 2047 });
  assert.deepEqual(any("tcp:[::1]:2047"), { kind: "tcp", host: "::1", port: 2047 });
  assert.deepEqual(any("fifo:/tmp/opensips_fifo"), { kind: "fifo", path: "/tmp/opensips_fifo" });
  assert.deepEqual(any("http://127.0.0.1:8888/mi"), {
    kind: "http",
    url: "http://127.0.0.1:8888/mi",
  });
  assert.deepEqual(any("http://[::1]:8888/mi"), { kind: "http", url: "http://[::1]:8888/mi" });
  assert.deepEqual(any("http://localhost"), { kind: "http", url: "http://localhost/" });
});

test("parseAddress() with the binrpc dialect follows kamcmd", () => {
  const binrpc = (text: string) => parseAddress(text, { dialect: "binrpc" });
  assert.deepEqual(binrpc("/run/kamailio/kamailio_ctl"), {
    kind: "unix-stream",
    path: "/run/kamailio/kamailio_ctl",
  });
  assert.deepEqual(binrpc("unix:/run/ctl"), { kind: "unix-stream", path: "/run/ctl" });
  assert.deepEqual(binrpc("unixd:/run/ctld"), { kind: "unix", path: "/run/ctld" });
  assert.deepEqual(binrpc("tcp:localhost"), { kind: "tcp", host: "localhost", port: 2049 });
  assert.deepEqual(binrpc("udp:10.0.0.1"), { kind: "udp", host: "10.0.0.1", port: 2049 });
  assert.deepEqual(binrpc("tcp:[::1]"), { kind: "tcp", host: "::1", port: 2049 });
  assert.deepEqual(binrpc("localhost:2046"), { kind: "udp", host: "localhost", port: 2046 });
  assert.deepEqual(binrpc("127.0.0.1:2046"), { kind: "udp", host: "127.0.0.1", port: 2046 });
  assert.deepEqual(binrpc("[::1]:2046"), { kind: "udp", host: "::1", port: 2046 });
  // The other dialects keep the datagram reading and want a port.
  assert.deepEqual(parseAddress("/run/mi", { dialect: "jsonrpc" }), {
    kind: "unix",
    path: "/run/mi",
  });
  assert.throws(() => parseAddress("tcp:localhost", { dialect: "mi" }), /missing port/);
});

test("parseAddress(text, options) rejects bad stream, FIFO and HTTP notation", () => {
  const cases: [string, RegExp][] = [
    ["https://127.0.0.1/mi", /https is not supported/],
    ["http://user:pw@127.0.0.1/mi", /passwords are not supported/],
    ["http://", /not a valid URL/],
    ["tcp:host:70000", /port "70000"/],
    ["fifo:", /empty path/],
    ["unixs:" + "/x".repeat(60), /UNIX sockets allow 107/],
    ["gopher:x", /unknown scheme "gopher:"/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseAddress(text, {}), (e: unknown) => {
      assert.ok(e instanceof MidgramError);
      assert.equal(e.code, "usage");
      assert.ok(e.message.includes(`"${text}"`), e.message);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

test("formatAddress() writes every kind back so that it parses to the same address", () => {
  for (
    const text of [
      "unixs:/run/ctl",
      "tcp:127.0.0.1:2047",
      "tcp:[::1]:2047",
      "fifo:/tmp/opensips_fifo",
      "http://127.0.0.1:8888/mi",
      "/run/mi.sock",
    ]
  ) {
    assert.equal(formatAddress(parseAddress(text, {})), text);
  }
});

test("sameAddress() compares kinds, paths, hosts and URLs", () => {
  const any = (text: string) => parseAddress(text, {});
  assert.ok(sameAddress(any("unixs:/a"), any("unixs:/a")));
  assert.ok(!sameAddress(any("unixs:/a"), any("/a")));
  assert.ok(!sameAddress(any("tcp:127.0.0.1:5"), any("udp:127.0.0.1:5")));
  assert.ok(
    sameAddress(any("tcp:127.0.0.1:5"), { kind: "tcp", host: "::ffff:127.0.0.1", port: 5 }),
  );
  assert.ok(sameAddress(any("http://h:1/mi"), any("http://h:1/mi")));
  assert.ok(!sameAddress(any("fifo:/a"), any("unixs:/a")));
});
