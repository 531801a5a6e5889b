// dist/midgram itself, at its default settings, against peers that take a
// request and never answer, on every client transport: every wait ends in
// exit 3 within its bound. The executable starts from a V8 snapshot, which
// once carried a stale timer expiry from the build's warm-up: every time
// limit of about 2.1 s or more never fired there, while the same code run
// from source passed every test. So these run the binary, at the default
// time limit and at a few between 2 s and 10 s, all at once (the file costs
// about one longest limit in wall time). They spawn processes only, so
// they run under Node's runner alone.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer, type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTransport } from "../../lib/transport/open.ts";
import type { DatagramSocket } from "../../lib/transport/types.ts";
import { BINARY, SPAWNS_ONLY } from "./_processes.ts";

/** The default time limit of send, kamcmd and exporter targets, in ms. */
const DEFAULT_MS = 5000;
/** How long after its limit a process may take to exit on a loaded machine. */
const SLACK_MS = 1500;

type Kind = "unix-dgram" | "udp" | "unix-stream" | "tcp" | "fifo" | "http";

/** A peer that reads every request and never answers. */
interface SilentPeer {
  /** Its address, as midgram writes it. */
  address: string;
  /** When the first bytes of a request arrived (performance.now()), once they have. */
  arrived: Promise<number>;
  close(): Promise<void>;
}

async function listen(server: Server, address: string | number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (typeof address === "number") server.listen(address, "127.0.0.1", () => resolve());
    else server.listen(address, () => resolve());
  });
}

/**
 * Opens a silent peer of one kind in `dir`. The time limit of a client runs
 * from its request, so each case gets its own peer and the time from the
 * first bytes to the exit is measured, whatever a loaded machine does to the
 * start-up of two dozen processes at once.
 */
async function openSilentPeer(kind: Kind, dir: string, name: string): Promise<SilentPeer> {
  let mark!: () => void;
  const arrived = new Promise<number>((resolve) => (mark = () => resolve(performance.now())));
  switch (kind) {
    case "unix-dgram": {
      const path = join(dir, `${name}.sock`);
      const socket: DatagramSocket = await defaultTransport().bind({ kind: "unix", path });
      const stop = new AbortController();
      // Read (and drop) whatever comes: the peer is alive and its buffer never fills.
      const drained = (async () => {
        try {
          while (true) {
            await socket.receive(stop.signal);
            mark();
          }
        } catch {
          // Closed or aborted: done.
        }
      })();
      return {
        address: path,
        arrived,
        async close() {
          stop.abort();
          await socket.close();
          await drained;
        },
      };
    }
    case "udp": {
      const udp = createSocket("udp4");
      udp.on("message", () => mark());
      await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", () => resolve()));
      return {
        address: `udp:127.0.0.1:${udp.address().port}`,
        arrived,
        close: () => new Promise<void>((resolve) => udp.close(() => resolve())),
      };
    }
    case "unix-stream":
    case "tcp":
    case "http": {
      const sockets = new Set<Socket>();
      const keep = (socket: Socket) => {
        sockets.add(socket);
        socket.on("data", () => mark());
        socket.on("error", () => {});
        socket.on("close", () => sockets.delete(socket));
      };
      const server: Server = kind === "http"
        ? createHttpServer((request) => request.resume()) // never responds
        : createNetServer(keep);
      if (kind === "http") server.on("connection", keep);
      const path = join(dir, `${name}.sock`);
      await listen(server, kind === "unix-stream" ? path : 0);
      const port = kind === "unix-stream" ? 0 : (server.address() as { port: number }).port;
      return {
        address: kind === "unix-stream"
          ? `unixs:${path}`
          : kind === "tcp"
          ? `tcp:127.0.0.1:${port}`
          : `http://127.0.0.1:${port}/mi`,
        arrived,
        async close() {
          for (const socket of sockets) socket.destroy();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    }
    case "fifo": {
      // A FIFO with a reader that never writes a reply: a write-only open
      // then succeeds at once, as with a live server.
      const fifo = join(dir, `${name}.fifo`);
      const made = spawnSync("mkfifo", ["-m", "0600", fifo]);
      assert.equal(made.status, 0, `mkfifo: ${made.stderr}`);
      const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      // An idle writer of our own keeps the reader from seeing end-of-file when a client closes.
      const holder = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      const reader = new Socket({ fd, readable: true, writable: false });
      reader.on("data", () => mark());
      return {
        address: `fifo:${fifo}`,
        arrived,
        async close() {
          await new Promise<void>((resolve) => {
            reader.once("close", () => resolve());
            reader.destroy();
          });
          closeSync(holder);
        },
      };
    }
  }
}

interface Exit {
  status: number | null;
  /** When it was spawned (performance.now()). */
  started: number;
  /** When it exited (performance.now()). */
  ended: number;
  stderr: string;
}

function binaryEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: tmpdir(),
    NO_COLOR: "1",
    MIDGRAM_CONFIG: "/dev/null",
    ...extra,
  };
}

/** Runs dist/midgram with a bound of its own (SIGKILL) far past any limit tested. */
function runBinary(args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(BINARY, args, {
      cwd: tmpdir(),
      env: binaryEnv(env),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(killer);
      resolve({ status, started, ended: performance.now(), stderr });
    });
  });
}

/** One client run against a silent peer of its own. */
interface Case {
  name: string;
  kind: Kind;
  /** The command line, given the peer's address and a directory for reply FIFOs and files. */
  args: (address: string, dir: string) => string[];
  env?: Record<string, string>;
  /** Its time limit in ms, counted from the request's arrival at the peer. */
  limit: number;
}

const send = (dialect: string, method: string, ...more: string[]) => (address: string) => [
  "send",
  ...(dialect ? ["--dialect", dialect] : []),
  "-s",
  address,
  ...more,
  method,
];
const sendFifo =
  (prefix: string, method: string, ...more: string[]) => (address: string, dir: string) => [
    "send",
    "-s",
    `${prefix}${address}`,
    "--reply-dir",
    dir,
    ...more,
    method,
  ];
const kamcmd = (
  address: string,
) => ["kamcmd", "-s", address.replace(/^unixs:/, ""), "core.version"];

const CASES: Case[] = [
  // At the default limit (5 s), with the dialect probe where one runs.
  {
    name: "send, UNIX datagram, auto (probe)",
    kind: "unix-dgram",
    args: send("", "version"),
    limit: DEFAULT_MS,
  },
  {
    name: "send, UNIX datagram, mi",
    kind: "unix-dgram",
    args: send("mi", "version"),
    limit: DEFAULT_MS,
  },
  {
    name: "send, UNIX datagram, jsonrpc",
    kind: "unix-dgram",
    args: send("jsonrpc", "version"),
    limit: DEFAULT_MS,
  },
  {
    name: "send, UNIX datagram, binrpc",
    kind: "unix-dgram",
    args: (address) => ["send", "-s", `binrpc=unixd:${address}`, "core.version"],
    limit: DEFAULT_MS,
  },
  { name: "send, UDP, auto (probe)", kind: "udp", args: send("", "version"), limit: DEFAULT_MS },
  {
    name: "send, UDP, binrpc",
    kind: "udp",
    args: send("binrpc", "core.version"),
    limit: DEFAULT_MS,
  },
  {
    name: "send, UNIX stream, binrpc",
    kind: "unix-stream",
    args: send("", "core.version"),
    limit: DEFAULT_MS,
  },
  { name: "send, TCP, binrpc", kind: "tcp", args: send("", "core.version"), limit: DEFAULT_MS },
  { name: "send, FIFO, jsonrpc", kind: "fifo", args: sendFifo("", "version"), limit: DEFAULT_MS },
  {
    name: "send, FIFO, jsonrpc/kamailio",
    kind: "fifo",
    args: sendFifo("jsonrpc/kamailio=", "core.version"),
    limit: DEFAULT_MS,
  },
  { name: "send, HTTP, jsonrpc", kind: "http", args: send("", "version"), limit: DEFAULT_MS },
  { name: "kamcmd, UNIX stream", kind: "unix-stream", args: kamcmd, limit: DEFAULT_MS },
  { name: "kamcmd, UDP", kind: "udp", args: kamcmd, limit: DEFAULT_MS },
  { name: "kamcmd, TCP", kind: "tcp", args: kamcmd, limit: DEFAULT_MS },
  // Limits between 2 s and 10 s, from each place a limit comes from.
  {
    name: "send -t 2100ms, UNIX datagram",
    kind: "unix-dgram",
    args: send("mi", "version", "-t", "2100ms"),
    limit: 2100,
  },
  {
    name: "send -t 3s, UDP",
    kind: "udp",
    args: send("binrpc", "core.version", "-t", "3s"),
    limit: 3000,
  },
  {
    name: "send -t 7s, UNIX stream",
    kind: "unix-stream",
    args: send("", "core.version", "-t", "7s"),
    limit: 7000,
  },
  {
    name: "send -t 9500 (ms), TCP",
    kind: "tcp",
    args: send("", "core.version", "-t", "9500"),
    limit: 9500,
  },
  {
    name: "send -t 4s, FIFO",
    kind: "fifo",
    args: sendFifo("", "version", "-t", "4s"),
    limit: 4000,
  },
  { name: "send -t 6s, HTTP", kind: "http", args: send("", "version", "-t", "6s"), limit: 6000 },
  {
    name: "kamcmd with MIDGRAM_TIMEOUT=3500ms, UNIX stream",
    kind: "unix-stream",
    args: kamcmd,
    env: { MIDGRAM_TIMEOUT: "3500ms" },
    limit: 3500,
  },
  {
    name: "send with [client] timeout = 2500ms, UDP",
    kind: "udp",
    args: send("mi", "version"),
    env: { MIDGRAM_CONFIG: "CONFIG" },
    limit: 2500,
  },
  // fuzz --target's first probe (its --timeout, 2 s by default).
  {
    name: "fuzz --target, UDP",
    kind: "udp",
    args: (address) => ["fuzz", "--target", address, "--dialect", "binrpc", "--generate", "5"],
    limit: 2000,
  },
];

// The groups wait at the same time: the file costs about its longest wait.
describe("dist/midgram at its time limits", { concurrency: true }, () => {
  test(
    "dist/midgram send, kamcmd and fuzz give up on a silent peer within their limits, on every transport",
    {
      skip: SPAWNS_ONLY,
      timeout: 60_000,
    },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), "midgram-silent-"));
      const config = join(dir, "midgram.toml");
      writeFileSync(config, '[client]\ntimeout = "2500ms"\n');
      const peers: SilentPeer[] = [];
      try {
        for (const [i, c] of CASES.entries()) {
          peers.push(await openSilentPeer(c.kind, dir, `peer${i}`));
        }
        const results = await Promise.all(CASES.map(async (c, i) => {
          const env = Object.fromEntries(
            Object.entries(c.env ?? {}).map(([k, v]) => [k, v === "CONFIG" ? config : v]),
          );
          const exit = await runBinary(c.args(peers[i].address, dir), env);
          // A process that never sent has no arrival: the assertion below names it.
          const arrived = await Promise.race([peers[i].arrived, Promise.resolve(Number.NaN)]);
          return { c, exit, waited: exit.ended - arrived };
        }));
        for (const { c, exit, waited } of results) {
          t.diagnostic(
            `${c.name}: exit ${exit.status} ${Math.round(waited)} ms after its request, ` +
              `${Math.round(exit.ended - exit.started)} ms after its start (limit ${c.limit} ms)`,
          );
        }
        for (const { c, exit, waited } of results) {
          const what = `${c.name}: exit ${exit.status}, ${Math.round(waited)} ms after its request`;
          assert.equal(exit.status, 3, `${what}\n${exit.stderr}`);
          assert.ok(!Number.isNaN(waited), `${what}: the peer never got a request`);
          // The limit starts before the request leaves (socket set-up, connect, a
          // probe), and on a loaded machine the peer may see it late: the sure lower
          // bound is the spawn, as no process starts its limit before it exists.
          assert.ok(
            exit.ended - exit.started >= c.limit,
            `${what}: ${
              Math.round(exit.ended - exit.started)
            } ms after its spawn, before its limit of ${c.limit} ms`,
          );
          assert.ok(waited <= c.limit + SLACK_MS, `${what}: its limit is ${c.limit} ms`);
        }
      } finally {
        await Promise.all(peers.map((peer) => peer.close()));
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test(
    "dist/midgram doctor ends within its limit on a silent peer",
    { skip: SPAWNS_ONLY, timeout: 30_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "midgram-silent-"));
      const peer = await openSilentPeer("unix-dgram", dir, "doctor");
      try {
        const exit = await runBinary(["doctor", "--dialect", "mi", "-s", peer.address], {});
        // doctor reports the silence as one finding among others (exit 1), after its 2 s
        // limit, counted from its request (the start of a process may wait on a loaded machine).
        assert.equal(exit.status, 1, exit.stderr);
        const waited = exit.ended - await peer.arrived;
        assert.ok(exit.ended - exit.started >= 2000, "it waited its limit");
        assert.ok(
          waited <= 2000 + SLACK_MS,
          `doctor ended ${Math.round(waited)} ms after its request`,
        );
      } finally {
        await peer.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test(
    "dist/midgram exporter answers a scrape within its target limit when every target is silent",
    {
      skip: SPAWNS_ONLY,
      timeout: 30_000,
    },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "midgram-silent-"));
      const kinds: Array<[Kind, string]> = [
        ["unix-dgram", "mi="],
        ["udp", "binrpc="],
        ["unix-stream", ""],
        ["tcp", ""],
        ["fifo", "jsonrpc/kamailio="],
        ["http", "jsonrpc="],
      ];
      const peers: SilentPeer[] = [];
      for (const [kind] of kinds) peers.push(await openSilentPeer(kind, dir, kind));
      const args = ["exporter", "--listen", "127.0.0.1:0", "--fifo-reply-dir", dir];
      kinds.forEach(([, prefix], i) => args.push("-s", `${prefix}${peers[i].address}`));
      const child = spawn(BINARY, args, {
        cwd: tmpdir(),
        env: binaryEnv({}),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = "";
          const timer = setTimeout(
            () => reject(new Error(`exporter not ready in 10 s: ${stderr}`)),
            10_000,
          );
          child.stdout.on("data", (chunk) => {
            out += chunk;
            const found = /listening on (http:\/\/[^/\s]+)/.exec(out);
            if (found) {
              clearTimeout(timer);
              resolve(found[1]);
            }
          });
          child.on("close", () => {
            clearTimeout(timer);
            reject(new Error(`exporter exited: ${stderr}`));
          });
        });
        const started = performance.now();
        const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(20_000) });
        const body = await response.text();
        const answered = performance.now();
        // From the first request the scrape sent (its targets' limit runs from
        // there, whatever a loaded machine did to the scrape's start before it),
        // or from the scrape itself when no request arrived.
        const arrivals = await Promise.all(
          peers.map((peer) => Promise.race([peer.arrived, Promise.resolve(Number.NaN)])),
        );
        const seen = arrivals.filter(Number.isFinite);
        const ms = answered - (seen.length > 0 ? Math.min(...seen) : started);
        assert.equal(response.status, 200);
        for (const peer of peers) {
          const line = body.split("\n").find((l) =>
            l.startsWith("midgram_target_up{") && l.includes(`target="${peer.address}"`)
          );
          assert.equal(line?.split(" ").pop(), "0", `${peer.address} is down:\n${body}`);
        }
        assert.ok(
          ms <= DEFAULT_MS + SLACK_MS,
          `the scrape took ${Math.round(ms)} ms from its first request (${
            Math.round(answered - started)
          } ms in all), the target limit is ${DEFAULT_MS} ms`,
        );
      } finally {
        child.kill("SIGTERM");
        await exited;
        await Promise.all(peers.map((peer) => peer.close()));
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test("dist/midgram send's interactive prompt gives up on a request within the default limit", {
    skip: SPAWNS_ONLY ||
      (spawnSync("script", ["--version"]).status !== 0 && "no script(1) for a pseudo-terminal"),
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-silent-"));
    const peer = await openSilentPeer("unix-dgram", dir, "prompt");
    // script(1) gives the binary a pseudo-terminal: with no method, send prompts.
    const command = `${BINARY} send --dialect mi -s ${peer.address}`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: tmpdir(),
      env: binaryEnv({ TERM: "dumb" }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const waiters: Array<() => void> = [];
    child.stdout.on("data", (chunk) => {
      out += chunk;
      for (const wake of waiters.splice(0)) wake();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("close", (code) => resolve(code))
    );
    /** Resolves when the output so far, from `from` on, matches; rejects after `ms`. */
    const waitFor = (pattern: RegExp, from: number, ms: number) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${ms} ms: ${out}`)), ms);
        const check = () => {
          if (pattern.test(out.slice(from))) {
            clearTimeout(timer);
            resolve(performance.now());
          } else waiters.push(check);
        };
        check();
      });
    try {
      await waitFor(/prompt\.sock> /, 0, 15_000);
      const from = out.length;
      child.stdin.write("version\n");
      const asked = performance.now();
      const answered = await waitFor(/No reply from .* within 5000 ms/, from, 15_000);
      const waited = answered - asked;
      assert.ok(
        waited >= DEFAULT_MS - 1000 && waited <= DEFAULT_MS + SLACK_MS,
        `gave up after ${Math.round(waited)} ms`,
      );
      child.stdin.write("\x04"); // Ctrl-D ends the prompt
      assert.equal(await exited, 0);
    } finally {
      child.kill("SIGKILL");
      await exited;
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
