import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sendRequest } from "../../lib/client/request.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import { BINARY, ROOT } from "./_processes.ts";
import { defaultTransport } from "../../lib/transport/open.ts";

test("the systemd unit's ExecStart runs the binary as written (paths moved to a temp dir)", async () => {
  const unit = readFileSync(join(ROOT, "scripts/systemd/midgram.service"), "utf8");
  const line = unit.split("\n").find((l) => l.startsWith("ExecStart="));
  assert.ok(line, "the unit has an ExecStart= line");
  const [program, ...args] = line!.slice("ExecStart=".length).split(/\s+/);
  assert.equal(program, "/usr/local/bin/midgram");
  assert.ok(existsSync(BINARY), `${BINARY} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "midgram-unit-"));
  // The same arguments, with /etc/midgram and /run/midgram moved into the temp dir.
  copyFileSync(join(ROOT, "midgram.example.toml"), join(dir, "midgram.toml"));
  const moved = args.map((a) =>
    a.replace("/etc/midgram/midgram.toml", join(dir, "midgram.toml")).replace(
      "/run/midgram/",
      `${dir}/`,
    )
  );
  const child = spawn(BINARY, moved, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) =>
    child.on(
      "exit",
      (code, signal) =>
        resolve(code ?? (signal === "SIGTERM" && "Deno" in globalThis ? 143 : null)),
    )
  );
  try {
    const socket = join(dir, "midgram.sock");
    for (let i = 0; i < 200 && !stdout.includes(`listening on ${socket}`); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(stdout.includes(`listening on ${socket}`), `no ready line: ${stdout} ${stderr}`);
    const { text } = await sendRequest(parseAddress(socket), { command: "version", args: [] }, {
      transport: defaultTransport(),
      timeoutMs: 3000,
    });
    assert.match(text, /^200 OK\nServer:: midgram /);
    // The example config disables kill and logs JSON lines.
    const kill = await sendRequest(parseAddress(socket), { command: "kill", args: [] }, {
      transport: defaultTransport(),
      timeoutMs: 3000,
    });
    assert.equal(kill.text, "500 command not available\n");
    child.kill("SIGTERM");
    assert.equal(await exited, 143, "128+15: stopped cleanly by SIGTERM");
    assert.equal(existsSync(socket), false, "the socket file is removed on stop");
    for (const l of stderr.trim().split("\n").filter(Boolean)) {
      assert.doesNotThrow(() => JSON.parse(l), l);
    }
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
