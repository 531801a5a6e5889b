import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { resolveId } from "./serve.ts";
import { until } from "../../lib/transport/testing/wait.ts";

test("serve prints a ready line per socket, answers, and removes its socket on interrupt", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-serve-"));
  const path = join(dir, "mi.sock");
  const config = join(dir, "midgram.toml");
  writeFileSync(
    config,
    `[server]\nmode = "0600"\ndisable = ["kill"]\n\n[commands.greet]\nexec = ["/bin/echo", "hello"]\n`,
  );
  const io = captureIo();
  const running = cli([
    "serve",
    "-s",
    path,
    "-s",
    "udp:127.0.0.1:0",
    "--config",
    config,
    "--log-level",
    "error",
  ], io);
  try {
    await until(() => io.out().split("\n").length >= 3, "two ready lines");
    const [unix, udp] = io.out().trim().split("\n");
    assert.equal(unix, `listening on ${path}`);
    assert.match(udp, /^listening on udp:127\.0\.0\.1:\d+$/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const client = captureIo();
    assert.equal(await cli(["send", "-s", path, "greet", "world"], client), 0);
    assert.equal(client.out(), "200 OK\nhello world\n\n");
    const killed = captureIo();
    assert.equal(await cli(["send", "-s", udp.slice("listening on ".length), "kill"], killed), 1);
    assert.equal(killed.out(), "500 command not available\n");
  } finally {
    io.abort();
    assert.equal(await running, 0);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(existsSync(path), false, "the socket file is removed");
});

test("serve stops after the kill built-in has replied", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-serve-"));
  const path = join(dir, "mi.sock");
  const io = captureIo();
  const running = cli(["serve", "-s", path, "--log-level", "error"], io);
  try {
    await until(() => io.out().includes("listening"), "the ready line");
    const client = captureIo();
    assert.equal(await cli(["send", "-s", path, "kill"], client), 0);
    assert.equal(client.out(), "200 OK\n\n");
    assert.equal(await running, 0);
    assert.equal(existsSync(path), false);
  } finally {
    io.abort();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("serve exits 2 on usage errors and 4 when a socket cannot be served", async () => {
  const usage = [
    ["serve"],
    ["serve", "-s", "/tmp/x.sock", "--mode", "999"],
    ["serve", "-s", "/tmp/x.sock", "--user", "no-such-user-here"],
    ["serve", "-s", "/tmp/x.sock", "--children", "0"],
    ["serve", "-s", "/tmp/x.sock", "--stop-timeout", "soon"],
    ["serve", "-s", "/tmp/x.sock", "--allow", "banana"],
    ["serve", "-s", "/tmp/x.sock", "--disable", "nothing"],
  ];
  for (const argv of usage) {
    const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(await cli(argv, io), 2, argv.join(" "));
    assert.equal(io.out(), "");
  }
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  assert.equal(await cli(["serve", "-s", "/nonexistent-dir/mi.sock"], io), 4);
  assert.match(io.err(), /Cannot bind "\/nonexistent-dir\/mi\.sock"/);
});

test("serve warns that a non-loopback UDP address has no authentication", async () => {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  const running = cli(["serve", "-s", "udp:0.0.0.0:0", "--log-level", "error"], io);
  await until(() => io.out().includes("listening"), "the ready line");
  io.abort();
  assert.equal(await running, 0);
  assert.match(io.err(), /warning: udp:0\.0\.0\.0:0 is not a loopback address .* --allow CIDR/);
});

test("serve warns that non-loopback TCP and HTTP addresses have no authentication either", async () => {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  const running = cli([
    "serve",
    "-s",
    "binrpc=tcp:0.0.0.0:0",
    "-s",
    "jsonrpc=http://[::]:0/mi",
    "-s",
    "binrpc=tcp:127.0.0.1:0",
    "--idle-timeout",
    "2s",
    "--max-connections",
    "8",
    "--log-level",
    "error",
  ], io);
  await until(() => io.out().split("listening").length === 4, "the three ready lines");
  io.abort();
  assert.equal(await running, 0);
  assert.match(io.err(), /warning: tcp:0\.0\.0\.0:0 is not a loopback address .* --allow CIDR/);
  assert.match(io.err(), /warning: http:\/\/\[::\]:0\/mi is not a loopback address .*kill/);
  assert.doesNotMatch(io.err(), /127\.0\.0\.1/);
  const bad = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  assert.equal(await cli(["serve", "-s", "/tmp/x.sock", "--max-connections", "0"], bad), 2);
});

test("resolveId() reads names from the account databases", () => {
  const passwd =
    "root:x:0:0:root:/root:/bin/sh\nmidgram:x:998:997::/run/midgram:/usr/sbin/nologin\n";
  assert.equal(resolveId("user", "midgram", passwd), 998);
  assert.equal(resolveId("user", "1234", passwd), 1234);
  assert.throws(() => resolveId("user", "nobody-here", passwd), /Unknown user "nobody-here"/);
});
