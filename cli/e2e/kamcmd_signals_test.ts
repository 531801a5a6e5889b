// `dist/midgram kamcmd` stopped by a signal while it waits on a stalled server
// (a peer that accepts and reads the request, and never answers), on every
// kamcmd transport: the first SIGTERM exits 143, the first SIGINT 130, as
// `send` does. The peers run in the test's runtime, the client is the single
// executable at its defaults; all cases run at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { BINARY, SPAWNS_ONLY } from "./_processes.ts";

/** A bound wait: the promise, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A peer that takes one request and never answers; `received` resolves when it has it. */
interface StalledPeer {
  /** The address as kamcmd's `-s` takes it. */
  address: string;
  received: Promise<void>;
  close(): Promise<void>;
}

async function stalledPeer(kind: string, dir: string): Promise<StalledPeer> {
  const transport = defaultTransport();
  const stop = new AbortController();
  if (kind === "unixd" || kind === "udp") {
    const socket = kind === "unixd"
      ? await transport.bind({ kind: "unix", path: join(dir, "ctl.dgram") })
      : await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
    const address = socket.address;
    return {
      address: address.kind === "unix"
        ? `unixd:${address.path}`
        : `udp:127.0.0.1:${(address as { port: number }).port}`,
      received: socket.receive(stop.signal).then(() => {}),
      close: () => (stop.abort(), socket.close()),
    };
  }
  const listener = kind === "unixs"
    ? await transport.listenStream({ kind: "unix-stream", path: join(dir, "ctl.stream") })
    : await transport.listenStream({ kind: "tcp", host: "127.0.0.1", port: 0 });
  const connections: { close(): Promise<void> }[] = [];
  const received = listener.accept(stop.signal).then(async (connection) => {
    connections.push(connection);
    await connection.read(stop.signal);
  });
  const address = listener.address;
  return {
    address: address.kind === "unix-stream"
      ? `unixs:${address.path}`
      : `tcp:127.0.0.1:${(address as { port: number }).port}`,
    received,
    close: async () => {
      stop.abort();
      await received.catch(() => {});
      await Promise.all(connections.map((c) => c.close()));
      await listener.close();
    },
  };
}

/** Runs `dist/midgram kamcmd -s ADDRESS core.version`, signals it once the peer has the request. */
async function signalled(kind: string, signal: "SIGTERM" | "SIGINT"): Promise<void> {
  assert.ok(existsSync(BINARY), `${BINARY} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-sig-"));
  const peer = await stalledPeer(kind, dir);
  try {
    const child = spawn(BINARY, ["kamcmd", "-s", peer.address, "core.version"], {
      env: { PATH: "/nonexistent", HOME: dir, NO_COLOR: "1", TMPDIR: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await within(peer.received, 10_000, `${kind}: the request`);
      // process.kill, not child.kill: Deno's child_process reports a child it
      // signalled itself as killed, whatever its exit status.
      process.kill(child.pid!, signal);
      const status = await within(exited, 10_000, `${kind}: the exit after one ${signal}`);
      assert.equal(
        status,
        128 + constants.signals[signal],
        `${kind}: exit status after ${signal}: ${stderr}`,
      );
      assert.equal(stderr, "", `${kind}: nothing on stderr after ${signal}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    }
  } finally {
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const KINDS = ["unixs", "udp", "tcp", "unixd"];

test("dist/midgram kamcmd exits 143 on SIGTERM and 130 on SIGINT while a server stalls", {
  skip: SPAWNS_ONLY,
}, async () => {
  // One case per transport and signal, all at once: about one start-up of wall time.
  const cases = KINDS.flatMap((kind) =>
    (["SIGTERM", "SIGINT"] as const).map((signal) => signalled(kind, signal))
  );
  const results = await Promise.allSettled(cases);
  const failures = results.filter((r) => r.status === "rejected").map((r) =>
    String((r as PromiseRejectedResult).reason?.message ?? r)
  );
  assert.deepEqual(failures, []);
});

test("dist/midgram kamcmd's interactive mode exits 143 on SIGTERM while it waits for input", {
  skip: SPAWNS_ONLY,
}, async () => {
  assert.ok(existsSync(BINARY), `${BINARY} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-sig-"));
  // A server that answers (the session starts with system.listMethods).
  const server = createServer({ transport: defaultTransport() });
  try {
    const path = join(dir, "ctl");
    await server.listen({ kind: "unix-stream", path }, { dialect: "binrpc" });
    // stdin is a pipe the test never closes: the session waits for its input.
    const child = spawn(BINARY, ["kamcmd", "-s", `unixs:${path}`], {
      env: { PATH: "/nonexistent", HOME: dir, NO_COLOR: "1", TMPDIR: dir },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const banner = new Promise<void>((resolve) =>
      child.stdout!.on("data", (c) => {
        stdout += c;
        if (stdout.includes("For details type")) resolve();
      })
    );
    child.stderr!.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await within(banner, 10_000, "the banner");
      process.kill(child.pid!, "SIGTERM");
      assert.equal(await within(exited, 10_000, "the exit after one SIGTERM"), 143, stderr);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      child.stdin!.destroy();
      await exited;
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
