import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { splitWords } from "./_interactive.ts";
import { createServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { until } from "../../lib/transport/testing/wait.ts";

test("splitWords() splits on white space and honours quotes and escapes", () => {
  assert.deepEqual(splitWords(`cache_store local key "a value" 'x y' a\\ b`), [
    "cache_store",
    "local",
    "key",
    "a value",
    "x y",
    "a b",
  ]);
  assert.deepEqual(splitWords(`echo "" name::"v w"`), ["echo", "", "name::v w"]);
});

test("send with no command on a terminal opens a prompt with completion and history", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-repl-"));
  const server = createServer({ transport: defaultTransport(), version: "midgram test" });
  try {
    const socket = join(dir, "mi.sock");
    await server.listen({ kind: "unix", path: socket });
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = "";
    output.on("data", (c) => (screen += c));
    const io = {
      ...captureIo({ env: { HOME: dir, MIDGRAM_CONFIG: "/dev/null" }, tty: true }),
      terminal: { input, output },
    };
    const running = cli(["send", "-s", socket], io);
    const until = async (text: string) => {
      const limit = Date.now() + 10_000;
      while (!screen.includes(text) && !io.out().includes(text)) {
        if (Date.now() > limit) {
          input.end(); // ends the prompt, so the command returns
          await running.catch(() => {});
          assert.fail(`${JSON.stringify(text)} never appeared in 10 s; screen: ${screen}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(`${socket}> `);
    input.write("vers\t"); // completes to "version"
    await until("version");
    input.write("\r");
    await until("Server:: midgram test");
    input.write('cache_fetch local "no such key"\r');
    await until("Value not found");
    // Ctrl-C clears the line and stays at the prompt.
    input.write("garbage typed");
    input.write("\x03");
    await until("^C");
    input.write("pwd\r");
    await until("WD::");
    assert.doesNotMatch(io.out(), /garbage/);
    // help METHOD asks the server.
    input.write("help version\r");
    await until("Help::");
    input.write("quit\r");
    assert.equal(await running, 0);
    assert.match(io.out(), /200 OK\nServer:: midgram test\n\n/);
    assert.match(io.out(), /200 OK\nValue not found\n\n/);
    assert.match(io.err(), /Connected to .*mi\.sock \(mi\): \d+ methods/);
    const history = readFileSync(join(dir, ".midgram_history"), "utf8");
    assert.match(history, /^version\ncache_fetch local "no such key"\npwd\nhelp version\nquit\n$/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the prompt shows an error reply once, as the server wrote it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-repl-fault-"));
  const server = createServer({ transport: defaultTransport(), version: "midgram test" });
  try {
    const socket = join(dir, "mi.sock");
    await server.listen({ kind: "unix", path: socket });
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = "";
    output.on("data", (c) => (screen += c));
    const io = {
      ...captureIo({ env: { HOME: dir, MIDGRAM_CONFIG: "/dev/null" }, tty: true }),
      terminal: { input, output },
    };
    const running = cli(["send", "-s", socket], io);
    const until = async (text: string) => {
      const limit = Date.now() + 10_000;
      while (!(screen + io.out() + io.err()).includes(text)) {
        if (Date.now() > limit) {
          input.end();
          await running.catch(() => {});
          assert.fail(`${JSON.stringify(text)} never appeared in 10 s; screen: ${screen}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(`${socket}> `);
    input.write("no_such_command\r");
    await until("no_such_command");
    await until("not");
    input.write("version\r");
    await until("Server:: midgram test");
    input.write("quit\r");
    assert.equal(await running, 0);
    const all = io.out() + io.err();
    const fault = /^\d{3} .*$/m.exec(io.out())?.[0];
    assert.ok(fault, io.out());
    // The reply's line, once; no "answered …" repeat on stderr.
    assert.equal(all.split(fault.slice(4)).length - 1, 1, all);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("send's prompt leaves with 128+N on a stop signal while it waits for a line, keeping its history", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-repl-stop-"));
  const server = createServer({ transport: defaultTransport(), version: "midgram test" });
  try {
    const socket = join(dir, "mi.sock");
    await server.listen({ kind: "unix", path: socket });
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = "";
    output.on("data", (c) => (screen += c));
    const io = {
      ...captureIo({ env: { HOME: dir, MIDGRAM_CONFIG: "/dev/null" }, tty: true }),
      terminal: { input, output },
    };
    const running = cli(["send", "-s", socket], io);
    try {
      await until(() => screen.includes(`${socket}> `), "the prompt");
      input.write("version\r");
      await until(() => io.out().includes("Server:: midgram test"), "the version");
      let status: number | undefined;
      running.then((code) => (status = code));
      io.abort(15);
      await until(() => status !== undefined, "the prompt to end after SIGTERM");
      assert.equal(status, 143);
      assert.equal(readFileSync(join(dir, ".midgram_history"), "utf8"), "version\n");
    } finally {
      input.end();
      await running.catch(() => {});
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
