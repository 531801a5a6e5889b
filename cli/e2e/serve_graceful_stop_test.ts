// A graceful stop of `dist/midgram serve` itself: with commands of the config
// file running on every transport (UNIX datagram, UDP, UNIX stream, TCP, FIFO,
// HTTP), SIGTERM stops receiving at once, lets them finish and answer within
// --stop-timeout, then cancels what is left ("command cancelled"); a second
// signal cancels at once. The commands run until the test creates a file, so
// every wait is for an event. Clients run in the test's runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { call, type CallReply } from "../../lib/client/call.ts";
import { parseDuration } from "../../lib/duration.ts";
import type { DialectName } from "../../lib/protocol/dialect.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import type { AnyAddress } from "../../lib/transport/types.ts";
import { BINARY, ROOT, SPAWNS_ONLY } from "./_processes.ts";
import { until } from "../../lib/transport/testing/wait.ts";

/** How long a spawned server may take for a step on a loaded machine. */
const PROCESS_MS = 20_000;

interface Served {
  child: ChildProcess;
  dir: string;
  sockets: { dialect: DialectName; address: AnyAddress }[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** The pids of the commands' programs that have started. */
  started: () => number[];
  /** Lets every running command finish. */
  go: () => void;
  done: () => Promise<void>;
}

/**
 * Starts dist/midgram serve on one socket of each transport, with `slow`: a
 * program that makes the file `started.PID`, waits for the file `go`, prints `done`.
 */
async function serve(extra: string[] = []): Promise<Served> {
  assert.ok(existsSync(BINARY), `${BINARY} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "midgram-graceful-"));
  const script = ': > "$0/started.$$"; while [ ! -e "$0/go" ]; do sleep 0.02; done; echo done';
  writeFileSync(
    join(dir, "midgram.toml"),
    `[server]\nchildren = 16\n\n[commands.slow]\nexec = ${
      JSON.stringify(["/bin/sh", "-c", script, dir])
    }\ntimeout = "60s"\n`,
  );
  const args = [
    "serve",
    "--config",
    join(dir, "midgram.toml"),
    "--fifo-reply-dir",
    dir,
    "-s",
    join(dir, "mi.sock"),
    "-s",
    "jsonrpc=udp:127.0.0.1:0",
    "-s",
    `binrpc=unixs:${join(dir, "ctl.sock")}`,
    "-s",
    "binrpc=tcp:127.0.0.1:0",
    "-s",
    `jsonrpc=fifo:${join(dir, "mi.fifo")}`,
    "-s",
    "jsonrpc=http://127.0.0.1:0/rpc",
    ...extra,
  ];
  const child = spawn(BINARY, args, {
    cwd: ROOT,
    env: { PATH: "/usr/bin:/bin", HOME: dir, NO_COLOR: "1", TMPDIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
  void exited.then(() => clearTimeout(kill));
  const ready = () => stdout.split("\n").filter((l) => l.startsWith("listening on ")).length;
  await until(() => ready() === 6 || child.exitCode !== null, "the six sockets", PROCESS_MS);
  assert.equal(ready(), 6, `serve is ready: ${stderr}`);
  const sockets = stdout.split("\n").filter((l) => l.startsWith("listening on ")).map((l) => {
    const [, text, dialect] = /^listening on (\S+)(?: \((\w+))?/.exec(l)!;
    const d = (dialect ?? "mi") as DialectName;
    return { dialect: d, address: parseAddress(text, { dialect: d }) };
  });
  const started = () =>
    readdirSync(dir).filter((n) => n.startsWith("started.")).map((n) =>
      Number(n.slice("started.".length))
    );
  return {
    child,
    dir,
    sockets,
    stderr: () => stderr,
    exited,
    started,
    go: () => writeFileSync(join(dir, "go"), ""),
    done: async () => {
      writeFileSync(join(dir, "go"), "");
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ask(
  served: Served,
  index: number,
  id: string,
  signal?: AbortSignal,
): Promise<CallReply> {
  const { dialect, address } = served.sockets[index];
  return call(address, { method: "slow", params: { kind: "positional", values: [id] } }, {
    transport: defaultTransport(),
    codec: clientCodec(dialect),
    timeoutMs: 30_000,
    replyDir: served.dir,
    signal,
  });
}

/** The value a reply carries, or its error message. */
function said(reply: PromiseSettledResult<CallReply>): string {
  if (reply.status === "rejected") return `no reply: ${reply.reason?.message ?? reply.reason}`;
  const outcome = reply.value.outcome;
  if (outcome?.kind === "error") return `error ${outcome.code}: ${outcome.message}`;
  return JSON.stringify(outcome?.kind === "result" ? outcome.value : outcome);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("dist/midgram serve answers every command running at SIGTERM, on every transport", {
  skip: SPAWNS_ONLY,
}, async () => {
  const served = await serve();
  try {
    // Two requests in flight per transport.
    const replies = served.sockets.flatMap((
      _,
      i,
    ) => [ask(served, i, `a${i}`), ask(served, i, `b${i}`)]);
    await until(
      () => served.started().length === replies.length,
      "every command to start",
      PROCESS_MS,
    ).catch((e) => {
      throw new Error(`${e.message}: ${readdirSync(served.dir)} ${served.stderr()}`);
    });
    // process.kill, not child.kill: Deno's child_process reports a child it signalled as killed.
    process.kill(served.child.pid!, "SIGTERM");
    // Receiving stops at once: the stream socket's file goes while the commands still run.
    await until(
      () => !existsSync(join(served.dir, "ctl.sock")),
      "the stream listener to close",
      PROCESS_MS,
    );
    assert.equal(existsSync(join(served.dir, "go")), false);
    served.go();
    const settled = await Promise.allSettled(replies);
    const answered = settled.map(said);
    const ok = answered.filter((a) => /done/.test(a)).length;
    assert.equal(
      ok,
      replies.length,
      `answered OK: ${ok} of ${replies.length}: ${answered.join(", ")}`,
    );
    assert.equal(await served.exited, 143, served.stderr());
    for (const name of ["mi.sock", "ctl.sock", "mi.fifo"]) {
      assert.equal(existsSync(join(served.dir, name)), false, `${name} is removed`);
    }
  } finally {
    await served.done();
  }
});

test("dist/midgram serve cancels what still runs when --stop-timeout ends, on every transport", {
  skip: SPAWNS_ONLY,
}, async () => {
  const served = await serve(["--stop-timeout", "50ms"]);
  try {
    const replies = served.sockets.map((_, i) => ask(served, i, `c${i}`));
    await until(
      () => served.started().length === replies.length,
      "every command to start",
      PROCESS_MS,
    ).catch((e) => {
      throw new Error(`${e.message}: ${readdirSync(served.dir)} ${served.stderr()}`);
    });
    const pids = served.started();
    process.kill(served.child.pid!, "SIGTERM");
    const answered = (await Promise.allSettled(replies)).map(said);
    for (const [i, text] of answered.entries()) {
      assert.match(text, /command cancelled/, `${served.sockets[i].address.kind}: ${text}`);
    }
    assert.equal(await served.exited, 143, served.stderr());
    await until(() => !pids.some(alive), "the commands' programs to end", PROCESS_MS);
  } finally {
    await served.done();
  }
});

test("dist/midgram serve stops at once on a second signal and stops the running programs", {
  skip: SPAWNS_ONLY,
}, async () => {
  const served = await serve();
  try {
    const gaveUp = new AbortController();
    const reply = ask(served, 0, "d", gaveUp.signal);
    await until(() => served.started().length === 1, "the command to start", PROCESS_MS);
    const [pid] = served.started();
    process.kill(served.child.pid!, "SIGTERM");
    await until(
      () => /waiting for running commands/.test(served.stderr()),
      "the grace period",
      PROCESS_MS,
    );
    process.kill(served.child.pid!, "SIGINT");
    assert.equal(await served.exited, 130, served.stderr());
    await until(() => !alive(pid), "the command's program to end", PROCESS_MS);
    gaveUp.abort(); // no answer is promised after a second signal
    await reply.catch(() => {});
  } finally {
    await served.done();
  }
});

test("the systemd unit gives serve longer than its stop timeout before it kills", () => {
  const unit = readFileSync(join(ROOT, "scripts/systemd/midgram.service"), "utf8");
  const line = /^TimeoutStopSec=(\S+)$/m.exec(unit);
  assert.ok(line, "the unit sets TimeoutStopSec");
  const example = readFileSync(join(ROOT, "midgram.example.toml"), "utf8");
  const stop = /^stop_timeout = "([^"]+)"/m.exec(example);
  assert.ok(stop, "midgram.example.toml sets stop_timeout");
  const reply = /^timeout = "([^"]+)"/m.exec(example.split("[client]")[0]);
  // systemd's grace must cover the commands' grace and the last replies' sending.
  const needed = parseDuration(stop![1], "stop_timeout") + parseDuration(reply![1], "timeout");
  assert.ok(
    parseDuration(line![1], "TimeoutStopSec") > needed,
    `TimeoutStopSec=${line![1]} must exceed ${needed} ms`,
  );
});
