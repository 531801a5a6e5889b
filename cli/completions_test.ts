import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { socketOf } from "./_completions.ts";
import { captureIo } from "./io.ts";
import { cli } from "./main.ts";
import { createServer } from "../lib/server/server.ts";
import { formatAddress } from "../lib/transport/address.ts";
import { defaultTransport } from "../lib/transport/open.ts";

/** Runs the CLI in this process; the shell scripts' own test below runs it as a process. */
async function midgram(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  const code = await cli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

test("midgram completions prints a script for bash, zsh and fish", async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await midgram("completions", shell);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /midgram/);
    assert.match(result.out, /complete/);
  }
});

test("midgram complete suggests subcommands and options", async () => {
  const commands = await midgram("complete", "--", "se");
  assert.match(commands.out, /^send\tsend one request and print the reply$/m);
  assert.match(
    commands.out,
    /^serve\trun a management server \(text MI, JSON-RPC, binrpc, ctlfifo\)$/m,
  );
  const options = await midgram("complete", "--", "send", "--ti");
  assert.match(options.out, /^--timeout\t/m);
});

test("midgram complete asks the server at the chosen socket for command names", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-complete-"));
  const server = createServer({ transport: defaultTransport() });
  try {
    const address = formatAddress(
      await server.listen({ kind: "unix", path: join(dir, "mi.sock") }),
    );
    const result = await midgram("complete", "--", "send", "-s", address, "cache_");
    assert.match(result.out, /^cache_store\t/m);
    assert.match(result.out, /^cache_fetch\t/m);
    assert.doesNotMatch(result.out, /^version\t/m);
  } finally {
    await server.close();
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
      `#!/bin/sh\ncd '${ROOT}' && exec '${node}' cli/bin.ts "$@"\n`,
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
