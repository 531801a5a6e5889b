import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, startServer } from "./e2e/_processes.ts";
import { socketOf } from "./_completions.ts";

test("midgram completions prints a script for bash, zsh and fish", async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await run("node", ["completions", shell]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /midgram/);
    assert.match(result.stdout, /complete/);
  }
});

test("midgram complete suggests subcommands and options", async () => {
  const commands = await run("node", ["complete", "--", "se"]);
  assert.match(commands.stdout, /^send\tsend one request and print the reply$/m);
  assert.match(commands.stdout, /^serve\trun a management server \(text MI, JSON-RPC, binrpc\)$/m);
  const options = await run("node", ["complete", "--", "send", "--ti"]);
  assert.match(options.stdout, /^--timeout\t/m);
});

test("midgram complete asks the server at the chosen socket for command names", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-complete-"));
  const proc = await startServer("node", ["-s", join(dir, "mi.sock"), "--log-level", "error"], 1);
  try {
    const result = await run("node", ["complete", "--", "send", "-s", proc.addresses[0], "cache_"]);
    assert.match(result.stdout, /^cache_store\t/m);
    assert.match(result.stdout, /^cache_fetch\t/m);
    assert.doesNotMatch(result.stdout, /^version\t/m);
  } finally {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("socketOf() takes -s, then MIDGRAM_SOCKET, then the default", () => {
  const text = (args: string[], env: Record<string, string>) => socketOf(args, env).text;
  assert.equal(text(["complete", "--", "send", "-s", "/a.sock", "x"], {}), "/a.sock");
  assert.equal(text(["send", "--socket=udp:1.2.3.4:5"], {}), "udp:1.2.3.4:5");
  assert.equal(
    text(["send"], { MIDGRAM_SOCKET: "/b.sock", MIDGRAM_CONFIG: "/dev/null" }),
    "/b.sock",
  );
  assert.equal(text(["send"], { MIDGRAM_CONFIG: "/dev/null" }), "/run/midgram/midgram.sock");
  const binrpc = socketOf(["send", "--dialect", "binrpc", "-s", "/c.sock"], {});
  assert.equal(binrpc.dialect, "binrpc");
});
