import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, SPAWNS_ONLY, startServer } from "./e2e/_processes.ts";
import { socketOf } from "./_completions.ts";

test(
  "midgram completions prints a script for bash, zsh and fish",
  { skip: SPAWNS_ONLY },
  async () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const result = await run("node", ["completions", shell]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /midgram/);
      assert.match(result.stdout, /complete/);
    }
  },
);

test("midgram complete suggests subcommands and options", { skip: SPAWNS_ONLY }, async () => {
  const commands = await run("node", ["complete", "--", "se"]);
  assert.match(commands.stdout, /^send\tsend one request and print the reply$/m);
  assert.match(commands.stdout, /^serve\trun a management server \(text MI, JSON-RPC, binrpc\)$/m);
  const options = await run("node", ["complete", "--", "send", "--ti"]);
  assert.match(options.stdout, /^--timeout\t/m);
});

test("midgram complete asks the server at the chosen socket for command names", {
  skip: SPAWNS_ONLY,
}, async () => {
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

test("the bash script works without the bash-completion package, sourced twice, and completes paths", async () => {
  const { mkdtempSync, writeFileSync, chmodSync, rmSync, mkdirSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { execFileSync } = await import("node:child_process");
  const { cli } = await import("./main.ts");
  const { captureIo } = await import("./io.ts");
  const { ROOT } = await import("./e2e/_processes.ts");
  const dir = mkdtempSync(join(tmpdir(), "midgram-bash-"));
  try {
    const io = captureIo();
    assert.equal(await cli(["completions", "bash"], io), 0);
    writeFileSync(join(dir, "midgram.bash"), io.out());
    // `midgram` on PATH, as an installed binary would be (run by Node on both runtimes).
    const node = execFileSync("sh", ["-c", "command -v node"], { encoding: "utf8" }).trim();
    mkdirSync(join(dir, "bin"));
    writeFileSync(
      join(dir, "bin", "midgram"),
      `#!/bin/sh\ncd '${ROOT}' && exec '${node}' --import tsx cli/bin.ts "$@"\n`,
    );
    chmodSync(join(dir, "bin", "midgram"), 0o755);
    writeFileSync(join(dir, "mi.sock"), "");
    const script = [
      `source '${join(dir, "midgram.bash")}'`,
      `source '${join(dir, "midgram.bash")}'`,
      `COMP_WORDS=(midgram send -s '${join(dir, "mi.s")}'); COMP_CWORD=3`,
      `__midgram_complete`,
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join("\n");
    const out = execFileSync("bash", ["--norc", "--noprofile", "-c", script], {
      env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin` },
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(out.trim(), join(dir, "mi.sock"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
