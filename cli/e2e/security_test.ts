/**
 * Issue 8: SIGUSR1 never opens a debugger, and another local user cannot
 * forge a reply to a waiting `send`. Real processes, real sockets; every wait
 * is for an event and bounded.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { defaultTransport } from "../../lib/transport/open.ts";
import { VERSION } from "../../lib/version.ts";
import {
  BINARY,
  launcher,
  NODE,
  ROOT,
  run,
  type Runtime,
  SPAWNS_ONLY,
  startServer,
} from "./_processes.ts";
import { otherUserSkip, stageForOtherUser } from "./_other_user.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const PYTHON = "/usr/bin/python3";
const NOBODY = 65534;
const RUNTIMES: Runtime[] = ["node", "deno", "binary"];
const NPM_BIN = `${ROOT}dist/npm/cli.mjs`;
/**
 * What Node and Deno print when a signal starts the inspector, or fails to
 * because port 9229 is taken (then no port opens, yet the hole is there).
 */
const INSPECTOR_MESSAGE = /Debugger listening|Starting inspector|inspector server/i;

/** The inodes of the sockets `pid` holds. */
async function socketInodes(pid: number): Promise<Set<string>> {
  const { readlink } = await import("node:fs/promises");
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]);
  }
  return inodes;
}

/** The local ports of the listening TCP sockets that belong to `pid`. */
async function tcpListeners(pid: number): Promise<string[]> {
  const mine = await socketInodes(pid);
  const ports: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // st 0A is LISTEN; field 9 is the inode.
      if (f.length > 9 && f[3] === "0A" && mine.has(f[9])) ports.push(f[1]);
    }
  }
  return ports;
}

/**
 * Checks, for a bounded time, that `pid` opens no TCP listener. Called once
 * the process has proved it handled the signal by answering a request.
 */
async function assertNoTcpListener(pid: number): Promise<void> {
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(await tcpListeners(pid), [], `process ${pid} listens on TCP`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for a child to exit, killing it after `ms`; resolves with its status and output. */
function finished(child: ChildProcess, ms: number) {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => (stdout += c));
  child.stderr?.on("data", (c) => (stderr += c));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function missingBinary(runtime: Runtime | "npm"): string | undefined {
  if (runtime === "binary" && !existsSync(BINARY)) return "dist/midgram is missing: npm run build";
  if (runtime === "npm" && !existsSync(NPM_BIN)) return "dist/npm is missing: npm run build";
  return undefined;
}

for (const runtime of [...RUNTIMES, "npm" as const]) {
  test(`${runtime}: serve ignores SIGUSR1: no TCP port opens and it goes on serving`, {
    skip: SPAWNS_ONLY || missingBinary(runtime),
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-usr1-"));
    const socket = join(dir, "mi.sock");
    const server = runtime === "npm"
      ? await startNpmServer(socket)
      : await startServer(runtime, ["-s", socket, "--log-level", "error"], 1);
    try {
      const pid = server.child.pid!;
      const ask = () =>
        run(runtime === "npm" ? "node" : runtime, [
          "send",
          "--dialect",
          "mi",
          "-s",
          socket,
          "-t",
          "10s",
          "version",
        ]);
      assert.equal((await ask()).status, 0, "answers before the signal");
      // Deno installs its own SIGUSR1 listener half a second after start: signal once before, once after.
      process.kill(pid, "SIGUSR1");
      assert.equal((await ask()).status, 0, "answers after the first signal");
      await waitUntilOlderThan(pid, 700);
      process.kill(pid, "SIGUSR1");
      const after = await ask();
      assert.equal(after.status, 0, `answers after the second signal: ${after.stderr}`);
      assert.match(after.stdout, /Server::/);
      await assertNoTcpListener(pid);
      assert.doesNotMatch(server.stderr(), INSPECTOR_MESSAGE);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Kills what a failed test left running (a no-op for processes that exited). */
const cleanups: (() => void)[] = [];

/** Resolves once the process has run for `ms` milliseconds (from /proc: its start time). */
async function waitUntilOlderThan(pid: number, ms: number): Promise<void> {
  const ticks = 100; // USER_HZ on Linux
  const uptime = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const started = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[19]) /
    ticks;
  const left = (started + ms / 1000 - uptime()) * 1000;
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(left + 20, ms + 20)));
}

/** `midgram serve` from the npm package's bin, ready once it announced its socket. */
function startNpmServer(socket: string) {
  const child = spawn(NODE, [NPM_BIN, "serve", "-s", socket, "--log-level", "error"], {
    cwd: ROOT,
    env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return new Promise<
    { child: ChildProcess; stderr: () => string; stop: () => Promise<number | null> }
  >((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`npm server not ready in 20 s: ${stderr}`));
    }, 20_000);
    let out = "";
    child.stdout!.on("data", (c) => {
      out += c;
      if (!out.includes("listening on ")) return;
      clearTimeout(timer);
      resolve({
        child,
        stderr: () => stderr,
        stop: () => {
          child.kill("SIGTERM");
          const limit = setTimeout(() => child.kill("SIGKILL"), 10_000);
          return exited.finally(() => clearTimeout(limit));
        },
      });
    });
  });
}

for (const runtime of RUNTIMES) {
  test(`${runtime}: a waiting send ignores SIGUSR1 and opens no TCP port`, {
    skip: SPAWNS_ONLY || missingBinary(runtime),
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-usr1-send-"));
    const silent = await defaultTransport().bind({ kind: "unix", path: join(dir, "s.sock") });
    try {
      const [command, prefix] = launcher(runtime);
      const child = spawn(command, [
        ...prefix,
        "send",
        "--dialect",
        "mi",
        "-s",
        join(dir, "s.sock"),
        "-t",
        "30s",
        "version",
      ], {
        env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const done = finished(child, 40_000);
      cleanups.push(() => child.kill("SIGKILL"));
      const request = await receiveWithin(silent, 20_000);
      await waitUntilOlderThan(child.pid!, 700);
      process.kill(child.pid!, "SIGUSR1");
      await assertNoTcpListener(child.pid!);
      // Still alive and waiting: the real reply is taken.
      await silent.send(enc("200 OK\nServer:: real\n\n"), request.from!);
      const result = await done;
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /real/);
      assert.doesNotMatch(result.stderr, INSPECTOR_MESSAGE);
    } finally {
      for (const cleanup of cleanups.splice(0)) cleanup();
      await silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("binary: NODE_OPTIONS is ignored, inspector flags there open no debugger", {
  skip: SPAWNS_ONLY || missingBinary("binary"),
}, async () => {
  // Node 20 refused these flags in NODE_OPTIONS; Node 24 and later take them
  // (--inspect-brk would wait for a debugger forever) unless the executable
  // ignores NODE_OPTIONS, as it does.
  for (
    const flag of ["--inspect=127.0.0.1:0", "--inspect-brk=127.0.0.1:0", "--inspect-wait", "--bad"]
  ) {
    const result = await finished(
      spawn(BINARY, ["--version"], {
        env: { ...process.env, NODE_OPTIONS: flag },
        stdio: ["ignore", "pipe", "pipe"],
      }),
      20_000,
    );
    assert.equal(result.status, 0, `${flag}: ${result.stderr}`);
    assert.equal(result.stdout, `${VERSION}\n`, flag);
    assert.doesNotMatch(result.stderr, /Debugger|inspect/i, flag);
  }
});

const canForge = process.geteuid?.() === 0 && existsSync(PYTHON) &&
  readFileSync("/etc/passwd", "utf8").split("\n").some((l) => l.startsWith("nobody:"));
const forgeSkip = canForge ? undefined : "needs root, a user nobody and /usr/bin/python3";

/**
 * Run as nobody: sends a forged reply to every UNIX socket path in
 * /proc/net/unix and every socket under midgram-looking directories of the
 * temporary directories; prints the paths that accepted it.
 */
const FORGER = `
import glob, os, socket, sys
paths = set()
with open("/proc/net/unix") as f:
    for line in f.read().splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 8 and parts[7].startswith("/"):
            paths.add(parts[7])
for tmp in sys.argv[1:]:
    for d in glob.glob(os.path.join(tmp, "midgram*")):
        paths.add(os.path.join(d, "reply.sock"))
        try:
            for name in os.listdir(d):
                paths.add(os.path.join(d, name))
        except OSError:
            pass
accepted = []
for p in sorted(paths):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.sendto(b"200 OK\\nServer:: FORGED\\n\\n", p)
        accepted.append(p)
    except OSError:
        pass
    finally:
        s.close()
print("\\n".join(accepted))
`;
import { receiveWithin } from "../../lib/transport/testing/wait.ts";

/** Runs the forger as nobody and returns the paths that accepted its datagram. */
async function forgeAsNobody(tmpDirs: string[]): Promise<string[]> {
  const child = spawn("runuser", ["-u", "nobody", "--", PYTHON, "-c", FORGER, ...tmpDirs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = await finished(child, 20_000);
  assert.equal(result.status, 0, `the forger failed: ${result.stderr}`);
  return result.stdout.split("\n").filter(Boolean);
}

for (const runtime of RUNTIMES) {
  test(`${runtime}: send accepts no reply forged by another local user`, {
    skip: SPAWNS_ONLY || (forgeSkip ?? missingBinary(runtime)),
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-forge-"));
    // A TMPDIR like /tmp: anyone may enter and list it.
    const sendTmp = join(dir, "tmp");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(sendTmp);
    chmodSync(dir, 0o755);
    chmodSync(sendTmp, 0o1777);
    // The server's socket: root's, group root, which send (root) may use and nobody may not.
    const silent = await defaultTransport().bind({ kind: "unix", path: join(dir, "s.sock") });
    try {
      const [command, prefix] = launcher(runtime);
      const child = spawn(command, [
        ...prefix,
        "send",
        "--dialect",
        "mi",
        "-s",
        join(dir, "s.sock"),
        "-t",
        "30s",
        "version",
      ], {
        env: { ...process.env, TMPDIR: sendTmp, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const done = finished(child, 40_000);
      cleanups.push(() => child.kill("SIGKILL"));
      const request = await receiveWithin(silent, 20_000);
      const replyPath = request.from?.kind === "unix" ? request.from.path : "";
      assert.ok(replyPath.startsWith(sendTmp), `reply socket ${replyPath} in ${sendTmp}`);
      const accepted = await forgeAsNobody([sendTmp, tmpdir()]);
      assert.ok(!accepted.includes(replyPath), `nobody reached the reply socket ${replyPath}`);
      // The forged datagrams, had any arrived, came first: the real reply must be what send prints.
      await silent.send(enc("200 OK\nServer:: real\n\n"), request.from!);
      const result = await done;
      assert.equal(result.status, 0, result.stderr);
      assert.doesNotMatch(result.stdout, /FORGED/);
      assert.match(result.stdout, /real/);
    } finally {
      for (const cleanup of cleanups.splice(0)) cleanup();
      await silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("binary: send as root works with a server running as nobody", {
  skip: SPAWNS_ONLY || otherUserSkip("nobody"),
}, async () => {
  // A directory nobody may reach wherever the checkout lives, with the binary in it.
  const stage = stageForOtherUser("midgram-nobody-server-");
  const dir = stage.dir;
  const serverDir = join(dir, "run");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(serverDir);
  chownSync(serverDir, NOBODY, NOBODY);
  const socket = join(serverDir, "mi.sock");
  const server = spawn("runuser", [
    "-u",
    "nobody",
    "--",
    stage.binary,
    "serve",
    "-s",
    socket,
    "--mode",
    "0666",
    "--log-level",
    "error",
  ], {
    cwd: stage.dir,
    env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1", TMPDIR: stage.tmp },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stopped = finished(server, 60_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("server as nobody not ready in 20 s")),
        20_000,
      );
      let out = "";
      server.stdout!.on("data", (c) => {
        out += c;
        if (out.includes("listening on ")) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.on("exit", () => {
        clearTimeout(timer);
        reject(new Error("server as nobody exited"));
      });
    });
    const result = await run("binary", [
      "send",
      "--dialect",
      "mi",
      "-s",
      socket,
      "-t",
      "10s",
      "version",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Server::/);
    // As nobody, sharing no group with a root server: refused with what to do, unless opted out.
    const rootServer = await startServer(
      "binary",
      ["-s", join(dir, "root.sock"), "--mode", "0666"],
      1,
    );
    try {
      const asNobody = (env: Record<string, string>) =>
        finished(
          spawn("runuser", [
            "-u",
            "nobody",
            "--",
            "env",
            ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
            stage.binary,
            "send",
            "--dialect",
            "mi",
            "-s",
            join(dir, "root.sock"),
            "-t",
            "10s",
            "version",
          ], {
            cwd: stage.dir,
            env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1", TMPDIR: stage.tmp },
          }),
          30_000,
        );
      const refused = await asNobody({});
      assert.equal(refused.status, 4, refused.stderr);
      assert.match(refused.stderr, /MIDGRAM_INSECURE_REPLY=1/);
      const optedOut = await asNobody({ MIDGRAM_INSECURE_REPLY: "1" });
      assert.equal(optedOut.status, 0, optedOut.stderr);
    } finally {
      await rootServer.stop();
    }
  } finally {
    server.kill("SIGTERM");
    await stopped;
    stage.remove();
  }
});
