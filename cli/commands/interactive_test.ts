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

/**
 * `send` with no command on a pretend terminal, against a server of its own
 * on a UNIX socket in a fresh directory (also its HOME, for the history).
 * `until(text)` waits (bounded) for text on the screen or in `sources`.
 */
async function prompt(prefix: string, sources: "out" | "out+err") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const server = createServer({ transport: defaultTransport(), version: "midgram test" });
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
  // As each test has always looked: the screen or stdout; or all three as one text.
  const shows = (text: string) =>
    sources === "out"
      ? screen.includes(text) || io.out().includes(text)
      : (screen + io.out() + io.err()).includes(text);
  return {
    dir,
    socket,
    input,
    io,
    running,
    screen: () => screen,
    until: (text: string) => until(() => shows(text), `${JSON.stringify(text)}; screen: ${screen}`),
    /** Ends the prompt (if it still runs), the server and the directory. */
    async close() {
      input.end();
      await running.catch(() => {});
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("send with no command on a terminal opens a prompt with completion and history", async () => {
  const p = await prompt("midgram-repl-", "out");
  const { input, io, socket, dir } = p;
  try {
    await p.until(`${socket}> `);
    input.write("vers\t"); // completes to "version"
    await p.until("version");
    input.write("\r");
    await p.until("Server:: midgram test");
    input.write('cache_fetch local "no such key"\r');
    await p.until("Value not found");
    // Ctrl-C clears the line and stays at the prompt.
    input.write("garbage typed");
    input.write("\x03");
    await p.until("^C");
    input.write("pwd\r");
    await p.until("WD::");
    assert.doesNotMatch(io.out(), /garbage/);
    // help METHOD asks the server.
    input.write("help version\r");
    await p.until("Help::");
    input.write("quit\r");
    assert.equal(await p.running, 0);
    assert.match(io.out(), /200 OK\nServer:: midgram test\n\n/);
    assert.match(io.out(), /200 OK\nValue not found\n\n/);
    assert.match(io.err(), /Connected to .*mi\.sock \(mi\): \d+ methods/);
    const history = readFileSync(join(dir, ".midgram_history"), "utf8");
    assert.match(history, /^version\ncache_fetch local "no such key"\npwd\nhelp version\nquit\n$/);
  } finally {
    await p.close();
  }
});

test("the prompt shows an error reply once, as the server wrote it", async () => {
  const p = await prompt("midgram-repl-fault-", "out+err");
  const { input, io, socket } = p;
  try {
    await p.until(`${socket}> `);
    input.write("no_such_command\r");
    await p.until("no_such_command");
    await p.until("not");
    input.write("version\r");
    await p.until("Server:: midgram test");
    input.write("quit\r");
    assert.equal(await p.running, 0);
    const all = io.out() + io.err();
    const fault = /^\d{3} .*$/m.exec(io.out())?.[0];
    assert.ok(fault, io.out());
    // The reply's line, once; no "answered …" repeat on stderr.
    assert.equal(all.split(fault.slice(4)).length - 1, 1, all);
  } finally {
    await p.close();
  }
});

test("send's prompt leaves with 128+N on a stop signal while it waits for a line, keeping its history", async () => {
  const p = await prompt("midgram-repl-stop-", "out");
  const { input, io, socket, dir } = p;
  try {
    await until(() => p.screen().includes(`${socket}> `), "the prompt");
    input.write("version\r");
    await until(() => io.out().includes("Server:: midgram test"), "the version");
    let status: number | undefined;
    p.running.then((code) => (status = code));
    io.abort(15);
    await until(() => status !== undefined, "the prompt to end after SIGTERM");
    assert.equal(status, 143);
    assert.equal(readFileSync(join(dir, ".midgram_history"), "utf8"), "version\n");
  } finally {
    await p.close();
  }
});
