// Every catchable stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) stops `send`,
// `serve` and `fuzz --generate` quickly, cleans up and (send, fuzz) exits 128+N.
// The child runs in the test's own runtime (Node from source, or Deno).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTransport } from "../../lib/transport/open.ts";
import { launcher, ROOT } from "./_processes.ts";
import { receiveWithin } from "../../lib/transport/testing/wait.ts";

const RUNTIME = "Deno" in globalThis ? "deno" : "node";
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The exit status; null when the runtime cannot tell (Deno reports a signalled child as killed). */
  exited: Promise<number | null>;
  /** Resolves once `pattern` appears on stdout or stderr; rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
}

function start(args: string[], env: Record<string, string> = {}): Child {
  const [command, prefix] = launcher(RUNTIME);
  const child = spawn(command, [...prefix, ...args], {
    cwd: ROOT,
    env: { ...process.env, MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout!.on("data", (c) => ((stdout += c), wake()));
  child.stderr!.on("data", (c) => ((stderr += c), wake()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      wake();
      resolve(code);
    })
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout) || pattern.test(stderr)) done(resolve);
          else if (child.exitCode !== null || child.signalCode !== null) {
            done(() => reject(new Error(`exited before ${pattern}: ${stderr}`)));
          }
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${pattern} within ${ms} ms: ${stderr}`))),
          ms,
        );
        const done = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** What midgram left in a private TMPDIR (the native addon's cache aside). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) =>
    n.startsWith("midgram-") && !n.startsWith("midgram-native")
  );
}

function expectStatus(actual: number | null, signal: string): void {
  // Under Deno, child_process reports a signalled child as killed whatever its status.
  if (RUNTIME === "deno") return;
  const number = constants.signals[signal as keyof typeof constants.signals];
  assert.equal(actual, 128 + number, `exit status after ${signal}`);
}

for (const signal of SIGNALS) {
  test(`send removes its reply directory and exits 128+N on ${signal} (${RUNTIME})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-stop-"));
    const privateTmp = join(dir, "tmp");
    mkdirSync(privateTmp);
    const silent = await defaultTransport().bind({ kind: "unix", path: join(dir, "silent.sock") });
    try {
      const proc = start(["send", "-s", join(dir, "silent.sock"), "-t", "30s", "version"], {
        TMPDIR: privateTmp,
      });
      await receiveWithin(silent, 30_000);
      assert.equal(leftovers(privateTmp).length, 1, "the reply directory exists while asking");
      proc.child.kill(signal);
      expectStatus(await proc.exited, signal);
      assert.deepEqual(leftovers(privateTmp), [], "nothing is left in TMPDIR");
    } finally {
      await silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`serve removes its socket file on ${signal} (${RUNTIME})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-stop-"));
    const privateTmp = join(dir, "tmp");
    mkdirSync(privateTmp);
    const socket = join(dir, "mi.sock");
    try {
      const proc = start(["serve", "-s", socket], { TMPDIR: privateTmp });
      await proc.waitFor(/listening on /);
      assert.ok(existsSync(socket));
      proc.child.kill(signal);
      await proc.exited;
      assert.equal(existsSync(socket), false, `the socket file is removed: ${proc.stderr()}`);
      assert.deepEqual(leftovers(privateTmp), [], "nothing is left in TMPDIR");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`fuzz --generate stops within a second on ${signal} with the summary (${RUNTIME})`, async () => {
    const proc = start(["fuzz", "--generate", "10000000", "--seed", "3"]);
    await proc.waitFor(/fuzz: seed 3/);
    // Let the generative loop run (and hold the thread) for a while first.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sent = performance.now();
    proc.child.kill(signal);
    const status = await proc.exited;
    const took = performance.now() - sent;
    assert.ok(took < 1000, `stopped in ${Math.round(took)} ms`);
    assert.match(proc.stderr(), /fuzz: \d+ runs in .* 0 failures \(interrupted\)\n/);
    expectStatus(status, signal);
  });
}
