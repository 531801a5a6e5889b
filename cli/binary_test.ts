// Tests of the single executable dist/midgram (built by `npm run build`). They
// only spawn processes, so they run the same under Node and Deno.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../lib/version.ts";
import { SPAWNS_ONLY } from "./e2e/_processes.ts";

const BINARY = fileURLToPath(new URL("../dist/midgram", import.meta.url));
const MISSING = `${BINARY} is missing: run npm run build first`;

/** An environment with no Node on PATH, no module search path, no config. */
function bareEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: "/nonexistent", HOME: home, NO_COLOR: "1", ...extra };
}

function run(
  binary: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string> } = {},
) {
  assert.ok(existsSync(binary), MISSING);
  return spawnSync(binary, args, {
    encoding: "utf8",
    cwd: options.cwd ?? tmpdir(),
    input: options.input,
    env: options.env ?? bareEnv(tmpdir()),
    timeout: 20_000,
  });
}

/** A temporary directory holding a copy of the binary, removed by `done()`. */
function bareDirectory(): { dir: string; binary: string; done: () => void } {
  assert.ok(existsSync(BINARY), MISSING);
  const dir = mkdtempSync(join(tmpdir(), "midgram-bin-"));
  const binary = join(dir, "midgram");
  copyFileSync(BINARY, binary);
  return { dir, binary, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts `midgram serve` (or `subcommand`) and resolves with the addresses
 * of its `count` ready lines.
 */
function startServer(
  binary: string,
  args: string[],
  count: number,
  cwd: string,
  env: Record<string, string>,
  subcommand = "serve",
) {
  const child = spawn(binary, [subcommand, ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const stop = () => {
    child.kill("SIGTERM");
    const limit = setTimeout(() => child.kill("SIGKILL"), 10_000);
    return exited.finally(() => clearTimeout(limit));
  };
  const ready = new Promise<string[]>((resolve, reject) => {
    const limit = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`midgram serve not ready in 20 s: ${stderr}`));
    }, 20_000);
    child.stdout.on("data", () => {
      const addresses = stdout.split("\n").filter((line) => line.startsWith("listening on "));
      if (addresses.length === count) {
        clearTimeout(limit);
        resolve(addresses.map((line) => line.slice("listening on ".length)));
      }
    });
    void exited.then(() => {
      clearTimeout(limit);
      reject(new Error(`midgram serve exited: ${stderr}`));
    });
  });
  return { ready, stop, stderr: () => stderr };
}

test("dist/midgram exists", { skip: SPAWNS_ONLY }, () => {
  assert.ok(existsSync(BINARY), MISSING);
});

test("dist/midgram --version prints the version", { skip: SPAWNS_ONLY }, () => {
  const result = run(BINARY, ["--version"]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `${VERSION}\n`);
  assert.equal(result.stderr, "");
});

test("dist/midgram --version --verbose prints the commit and date recorded by the build", {
  skip: SPAWNS_ONLY,
}, () => {
  const result = run(BINARY, ["--version", "--verbose"], { env: { MIDGRAM_CONFIG: "/dev/null" } });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^midgram ${VERSION.replaceAll(".", "\\.")}\n`));
  assert.match(result.stdout, /^commit: +[0-9a-f]{40}(-dirty)?$/m);
  assert.match(result.stdout, /^built: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(single executable\)$/m);
  assert.match(result.stdout, /^runtime: +node v\d+\.\d+\.\d+$/m);
  assert.match(result.stdout, /^dialects: +mi, jsonrpc, binrpc, ctlfifo$/m);
  assert.match(result.stdout, /^config: +\/dev\/null$/m);
});

test("dist/midgram --help prints usage on stdout", { skip: SPAWNS_ONLY }, () => {
  const result = run(BINARY, ["--help"]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^Usage: midgram /);
  for (const command of ["parse", "serve", "send"]) {
    assert.match(result.stdout, new RegExp(command));
  }
  assert.equal(result.stderr, "");
});

test("dist/midgram exits 2 on an unknown option, with the message on stderr only", {
  skip: SPAWNS_ONLY,
}, () => {
  const result = run(BINARY, ["--no-such-option"]);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /unknown option '--no-such-option'/);
});

test("dist/midgram runs from a directory with no node_modules and no Node on PATH", {
  skip: SPAWNS_ONLY,
}, () => {
  const { dir, binary, done } = bareDirectory();
  try {
    writeFileSync(join(dir, "bad.mi"), ":version:\r\n");
    const bad = run(binary, ["parse", "bad.mi"], { cwd: dir, env: bareEnv(dir) });
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /^bad\.mi:1:10: error cr-in-first-line: /);
    const ok = run(binary, ["parse", "-"], { cwd: dir, env: bareEnv(dir), input: ":version:\n" });
    assert.equal(ok.status, 0, ok.stderr);
  } finally {
    done();
  }
});

test(
  "dist/midgram loads the packages of fuzz, completions and exporter on first use, from a bare directory",
  { skip: SPAWNS_ONLY },
  async () => {
    // They are assets of the executable, outside its start-up snapshot (cli/_lazy.ts).
    const { dir, binary, done } = bareDirectory();
    const env = bareEnv(dir);
    try {
      const fuzz = run(binary, ["fuzz", "--generate", "50", "--seed", "3"], { cwd: dir, env });
      assert.equal(fuzz.status, 0, fuzz.stderr);
      assert.match(fuzz.stderr, /^fuzz: 50 runs in .*, 0 failures$/m);
      const rpc = run(binary, ["fuzz", "--generate", "50", "--dialect", "binrpc", "--seed", "3"], {
        cwd: dir,
        env,
      });
      assert.equal(rpc.status, 0, rpc.stderr);
      const completions = run(binary, ["completions", "bash"], { cwd: dir, env });
      assert.equal(completions.status, 0, completions.stderr);
      assert.match(completions.stdout, /^# bash completion for midgram$/m);
      // Nobody answers on the discard port: the exporter still renders its metrics.
      const exporter = startServer(
        binary,
        ["--listen", "127.0.0.1:0", "-s", "binrpc=udp:127.0.0.1:9", "--target-timeout", "200ms"],
        1,
        dir,
        env,
        "exporter",
      );
      try {
        const [url] = await exporter.ready;
        const response = await fetch(url);
        const body = await response.text();
        assert.equal(response.status, 200, body);
        assert.match(
          body,
          /^midgram_target_up\{target="udp:127\.0\.0\.1:9",dialect="binrpc"\} 0$/m,
        );
      } finally {
        await exporter.stop();
      }
    } finally {
      done();
    }
  },
);

test(
  "dist/midgram serves and sends on UNIX and UDP from a bare directory",
  { skip: SPAWNS_ONLY },
  async () => {
    const { dir, binary, done } = bareDirectory();
    // A private TMPDIR shows where the addon is unpacked, and that it is gone
    // again at once (while the server still runs).
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    const env = bareEnv(dir, { TMPDIR: tmp });
    const socket = join(dir, "mi.sock");
    writeFileSync(
      join(dir, "midgram.toml"),
      `[server]\nsockets = [${JSON.stringify(socket)}, "udp:localhost:0"]\n\n` +
        `[commands.greet]\nexec = ["/bin/echo", "hello"]\n`,
    );
    const server = startServer(binary, ["--config", "midgram.toml"], 2, dir, env);
    try {
      const [unix, udp] = await server.ready;
      assert.equal(unix, socket);
      // UNIX: the addon; a config command: a child process; UDP by host name: dgram and DNS.
      const byName = udp.replace(/^udp:(\[[^\]]*\]|[^:]*):/, "udp:localhost:");
      assert.notEqual(byName, udp);
      for (const address of [unix, byName]) {
        // A time limit far beyond run()'s 20 s: a send that has its reply but
        // does not act on it at once (the runtime not running the promise jobs
        // of a native callback) hangs here instead of passing when it fires.
        const args = ["send", "-t", "1h", "-s", address, "greet", "from", "the binary"];
        const sent = run(binary, args, { cwd: dir, env });
        assert.equal(sent.status, 0, `${address}: ${sent.stderr}${server.stderr()}`);
        assert.equal(sent.stdout, "200 OK\nhello from the binary\n\n", address);
      }
      const left = readdirSync(tmp).filter((name) => name.startsWith("midgram-native-"));
      assert.deepEqual(left, [], "the unpacked addon is removed once loaded");
    } finally {
      await server.stop();
      done();
    }
  },
);

test("dist/midgram send gives up at its time limit when the peer never answers", {
  skip: SPAWNS_ONLY,
}, async () => {
  // A bound socket that never reads: the request waits in its queue. A limit
  // of 3 s, past the 2 s or so at which the snapshot once left Node's next
  // timer expiry (every later limit then never fired and send hung).
  const peer = createSocket("udp4");
  await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
  try {
    const { port } = peer.address();
    const sent = run(BINARY, [
      "send",
      "--dialect",
      "mi",
      "-s",
      `udp:127.0.0.1:${port}`,
      "-t",
      "3s",
      "version",
    ]);
    assert.equal(sent.status, 3, sent.stderr);
    assert.match(sent.stderr, /^midgram: No reply from "udp:127\.0\.0\.1:\d+" within 3000 ms/);
    assert.equal(sent.stdout, "");
  } finally {
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  }
});

test("dist/midgram names the temporary directory when it cannot unpack the addon", {
  skip: SPAWNS_ONLY,
}, () => {
  const { dir, binary, done } = bareDirectory();
  try {
    const missing = join(dir, "no-such-dir");
    // No private cache either: XDG_CACHE_HOME is a file.
    writeFileSync(join(dir, "not-a-dir"), "");
    const result = run(binary, ["serve", "-s", join(dir, "mi.sock")], {
      cwd: dir,
      env: bareEnv(dir, { TMPDIR: missing, XDG_CACHE_HOME: join(dir, "not-a-dir") }),
    });
    assert.equal(result.status, 4, result.stderr);
    assert.equal(result.stdout, "");
    assert.ok(
      result.stderr.includes(`Cannot load the UNIX datagram addon in "${missing}": `),
      result.stderr,
    );
  } finally {
    done();
  }
});

test("dist/midgram keeps the addon in a private cache, and uses no cache others may write", {
  skip: SPAWNS_ONLY,
}, () => {
  const { dir, binary, done } = bareDirectory();
  const tmp = join(dir, "tmp");
  mkdirSync(tmp);
  const env = bareEnv(dir, { TMPDIR: tmp });
  // A send to a missing UNIX socket loads the addon (for its reply socket), then fails: 4.
  const send = () =>
    run(binary, ["send", "-s", join(dir, "none.sock"), "version"], { cwd: dir, env });
  const cache = join(dir, ".cache", "midgram");
  const unpacked = () => readdirSync(tmp).filter((n) => n.startsWith("midgram-native-"));
  try {
    let result = send();
    assert.equal(result.status, 4, result.stderr);
    assert.match(result.stderr, /no such socket/);
    const [name, ...more] = readdirSync(cache);
    assert.deepEqual(more, []);
    assert.match(name, /^unix_dgram-.*\.node$/);
    const file = join(cache, name);
    const original = readFileSync(file);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o077, 0);

    // A cached file that is not the addon's bytes is written again, never loaded.
    writeFileSync(file, "not a library");
    result = send();
    assert.equal(result.status, 4, result.stderr);
    assert.match(result.stderr, /no such socket/);
    assert.deepEqual(readFileSync(file), original);

    // A cache directory the group may write is not used: the addon is unpacked to TMPDIR instead.
    chmodSync(cache, 0o770);
    writeFileSync(file, "not a library");
    result = send();
    assert.equal(result.status, 4, result.stderr);
    assert.match(result.stderr, /no such socket/);
    assert.equal(readFileSync(file, "utf8"), "not a library");
    assert.deepEqual(unpacked(), [], "the unpacked addon is removed once loaded");
  } finally {
    done();
  }
});

test("dist/midgram serve loads its malloc_trim helper into the private cache", {
  skip: SPAWNS_ONLY,
}, async (t) => {
  const info = JSON.parse(readFileSync(join(BINARY, "..", "midgram.build.json"), "utf8"));
  if (!info.assets.includes("malloc_trim.node")) {
    t.skip("built without the malloc_trim helper (no Node headers or cc at build time)");
    return;
  }
  const { dir, binary, done } = bareDirectory();
  const server = startServer(binary, ["-s", join(dir, "mi.sock")], 1, dir, bareEnv(dir));
  try {
    await server.ready;
    const cached = readdirSync(join(dir, ".cache", "midgram"));
    assert.ok(cached.some((name) => /^malloc_trim-.*\.node$/.test(name)), cached.join(", "));
  } finally {
    await server.stop();
    done();
  }
});

test("dist/midgram stack traces name dist/midgram.cjs, not the build's temporary file", {
  skip: SPAWNS_ONLY,
}, () => {
  // A stack trace names the script the start-up snapshot was taken from. The
  // executable ignores NODE_OPTIONS (so no --trace-exit to make it print one):
  // read the script names the snapshot recorded instead.
  assert.ok(existsSync(BINARY), MISSING);
  const bytes = readFileSync(BINARY).toString("latin1");
  const bundle = join(fileURLToPath(new URL("../dist/", import.meta.url)), "midgram.cjs");
  assert.ok(bytes.includes(bundle), `the snapshot names ${bundle}`);
  assert.doesNotMatch(bytes, /\.build-\d+-midgram\.cjs/);
});

test(
  "dist/midgram serve: a request over 8191 bytes on a Kamailio FIFO is dropped, and the next one answered",
  { skip: SPAWNS_ONLY },
  async () => {
    const { dir, binary, done } = bareDirectory();
    const env = bareEnv(dir, { PATH: "/usr/bin:/bin" }); // for mkfifo(1)
    const fifo = join(dir, "k.fifo");
    const server = startServer(
      binary,
      ["-s", `jsonrpc/kamailio=fifo:${fifo}`, "--fifo-reply-dir", dir],
      1,
      dir,
      env,
    );
    try {
      await server.ready;
      // The write, then "{}": as in Kamailio, the 810 bytes after the
      // dropped 8191 and the "{}" are one document that does not parse.
      const peer = spawnSync(
        "/bin/sh",
        ["-c", 'printf "{%09000d{}\\n" 0 | tr 0 a > "$1"', "sh", fifo],
        { encoding: "utf8", timeout: 20_000 },
      );
      assert.equal(peer.status, 0, peer.stderr);
      const args = ["--dialect", "jsonrpc", "--flavour", "kamailio", "--reply-dir", dir];
      const sent = run(binary, ["send", ...args, "-s", `fifo:${fifo}`, "core.uptime"], {
        cwd: dir,
        env,
      });
      assert.equal(sent.status, 0, `${sent.stderr}${server.stderr()}`);
      assert.match(sent.stdout, /"uptime"/);
    } finally {
      await server.stop();
      done();
    }
    assert.equal(existsSync(fifo), false, "the FIFO is removed at the stop");
  },
);
