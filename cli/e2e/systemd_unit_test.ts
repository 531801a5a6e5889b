import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sendRequest } from "../../lib/client/request.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import { BINARY, ROOT, SPAWNS_ONLY } from "./_processes.ts";
import { defaultTransport } from "../../lib/transport/open.ts";

test("the systemd unit's ExecStart runs the binary as written (paths moved to a temp dir)", {
  skip: SPAWNS_ONLY,
}, async () => {
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

const UNITS = ["midgram.service", "midgram-exporter.service"];
const hasAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

/** The units with their binary path pointed at dist/midgram, in a fresh directory. */
function unitsForTest(dir: string): string[] {
  return UNITS.map((name) => {
    const text = readFileSync(join(ROOT, "scripts/systemd", name), "utf8")
      .replace(/\/usr(\/local)?\/bin\/midgram\b/g, BINARY);
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
}

test("systemd-analyze verify passes on both units (their man pages from dist/man)", {
  skip: SPAWNS_ONLY ||
    (!hasAnalyze
      ? "needs systemd-analyze"
      : !existsSync(join(ROOT, "dist/man"))
      ? "needs dist/man and dist/midgram (npm run build)"
      : undefined),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-units-"));
  try {
    const files = unitsForTest(dir);
    const r = spawnSync("systemd-analyze", ["verify", ...files], {
      env: { ...process.env, MANPATH: join(ROOT, "dist/man") },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), "", r.stderr);
    for (const file of files) {
      const s = spawnSync(
        "systemd-analyze",
        ["security", "--offline=true", "--threshold=30", file],
        {
          encoding: "utf8",
        },
      );
      assert.equal(s.status, 0, s.stdout + s.stderr);
      // The hardening options hold: an exposure of 3.0 or more is a regression.
      const score = /Overall exposure level for \S+: ([\d.]+)/.exec(s.stdout);
      assert.ok(score && Number(score[1]) < 3, s.stdout.split("\n").slice(-2).join("\n"));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the exporter unit's ExecStart with the example config serves /metrics and stops on SIGTERM", {
  skip: SPAWNS_ONLY || (existsSync(BINARY) ? undefined : "needs dist/midgram (npm run build)"),
}, async () => {
  const unit = readFileSync(join(ROOT, "scripts/systemd/midgram-exporter.service"), "utf8");
  const line = unit.split("\n").find((l) => l.startsWith("ExecStart="))!;
  const [program, ...args] = line.slice("ExecStart=".length).split(/\s+/);
  assert.equal(program, "/usr/bin/midgram");
  const dir = mkdtempSync(join(tmpdir(), "midgram-exporter-unit-"));
  // The example's [exporter] table, listening on a free port instead of 9494.
  const config = readFileSync(join(ROOT, "midgram.example.toml"), "utf8")
    .replace(/^listen = "127\.0\.0\.1:9494"$/m, 'listen = "127.0.0.1:0"');
  assert.match(config, /listen = "127\.0\.0\.1:0"/);
  writeFileSync(join(dir, "midgram.toml"), config);
  const moved = args.map((a) => a.replace("/etc/midgram/midgram.toml", join(dir, "midgram.toml")));
  const child = spawn(BINARY, moved, {
    env: { ...process.env, TMPDIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) =>
    child.on(
      "exit",
      (code, signal) =>
        resolve(code ?? (signal === "SIGTERM" && "Deno" in globalThis ? 143 : null)),
    )
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${stderr}`)), 20_000);
      child.stdout.on("data", (c) => {
        stdout += c;
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", () => {
        clearTimeout(timer);
        reject(new Error(`the exporter exited: ${stderr}`));
      });
    });
    const body = await (await fetch(url)).text();
    // The example's targets are absent here: both are reported down, the scrape succeeds.
    assert.match(
      body,
      /midgram_target_up\{target="unixs:\/run\/kamailio\/kamailio_ctl",dialect="binrpc"\} 0/,
    );
    assert.match(
      body,
      /midgram_target_up\{target="\/run\/opensips\/opensips_mi.sock",dialect="jsonrpc"\} 0/,
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 143, "128+15: stopped cleanly by SIGTERM");
    for (const l of stderr.trim().split("\n").filter(Boolean)) {
      assert.doesNotThrow(() => JSON.parse(l), l);
    }
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
