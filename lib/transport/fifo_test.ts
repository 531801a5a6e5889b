import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MidgramError } from "../errors.ts";
import { fifoRequest, listenFifo, mkfifo, writeFifoReply } from "./fifo.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof MidgramError ? error.code : `not a MidgramError: ${error}`;
  }
  return "no error";
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The `:name:body` framing of mi_fifo, just enough for these tests. */
const frame = (name: string, body: string) => encode(`:${name}:${body}`);
const unframe = (bytes: Uint8Array) => /^:([^:]*):(.*)$/s.exec(decode(bytes))!;

test(
  "fifoRequest() and the server primitives carry a request and its reply",
  withDir(async (dir) => {
    const server = await listenFifo(join(dir, "mi.fifo"));
    try {
      const replying = (async () => {
        const [, name, body] = unframe(await server.read());
        await writeFifoReply(dir, name, encode(`reply to ${body}`));
      })();
      replying.catch(() => {}); // an assertion failing first is what gets reported
      const reply = await fifoRequest(server.address.path, (name) => frame(name, "version"), {
        replyDir: dir,
        timeoutMs: 3000,
      });
      await replying;
      assert.equal(decode(reply), "reply to version");
      assert.deepEqual(readdirSync(dir), ["mi.fifo"], "the reply FIFO is gone");
    } finally {
      await server.close();
    }
    assert.equal(existsSync(join(dir, "mi.fifo")), false, "close() removes the server FIFO");
  }),
);

test(
  "fifoRequest() reads a reply written in pieces until the server closes it",
  withDir(async (dir) => {
    const server = await listenFifo(join(dir, "mi.fifo"));
    try {
      const big = "x".repeat(200_000);
      const replying = (async () => {
        const [, name] = unframe(await server.read());
        await writeFifoReply(dir, name, encode(big), { timeoutMs: 3000 });
      })();
      replying.catch(() => {}); // an assertion failing first is what gets reported
      const reply = await fifoRequest(server.address.path, (name) => frame(name, "big"), {
        replyDir: dir,
        timeoutMs: 3000,
      });
      await replying;
      assert.equal(reply.length, big.length);
    } finally {
      await server.close();
    }
  }),
);

test(
  "fifoRequest() times out when no reply comes, and removes its reply FIFO",
  withDir(async (dir) => {
    const server = await listenFifo(join(dir, "mi.fifo"));
    try {
      const request = fifoRequest(server.address.path, (name) => frame(name, "x"), {
        replyDir: dir,
        timeoutMs: 150,
      });
      await server.read();
      assert.equal(await codeOf(request), "timeout");
      assert.deepEqual(readdirSync(dir), ["mi.fifo"]);

      const controller = new AbortController();
      const aborted = fifoRequest(server.address.path, (name) => frame(name, "x"), {
        replyDir: dir,
        signal: controller.signal,
      });
      await server.read();
      controller.abort(new Error("stop"));
      await assert.rejects(aborted, /stop/);
      assert.deepEqual(readdirSync(dir), ["mi.fifo"]);
    } finally {
      await server.close();
    }
  }),
);

test(
  "fifoRequest() names what is wrong with the server FIFO",
  withDir(async (dir) => {
    const opts = { replyDir: dir, timeoutMs: 500 };
    const missing = fifoRequest(join(dir, "missing"), () => encode("x"), opts);
    await assert.rejects(missing, /Cannot open "fifo:.*missing": no such FIFO/);
    writeFileSync(join(dir, "file"), "");
    assert.equal(
      await codeOf(fifoRequest(join(dir, "file"), () => encode("x"), opts)),
      "not-a-socket",
    );
    await mkfifo(join(dir, "unread"), 0o600);
    await assert.rejects(
      fifoRequest(join(dir, "unread"), () => encode("x"), opts),
      /nobody reads this FIFO: is the server running\?/,
    );
    assert.equal(
      await codeOf(fifoRequest(join(dir, "unread"), () => encode("x"), {
        ...opts,
        replyName: "../escape",
      })),
      "usage",
    );
    assert.deepEqual(readdirSync(dir).sort(), ["file", "unread"], "no reply FIFO is left");
  }),
);

test(
  "listenFifo() makes its FIFO safely",
  withDir(async (dir) => {
    writeFileSync(join(dir, "file"), "precious");
    assert.equal(await codeOf(listenFifo(join(dir, "file"))), "not-a-socket");
    symlinkSync(join(dir, "elsewhere"), join(dir, "link"));
    assert.equal(await codeOf(listenFifo(join(dir, "link"))), "unsafe-path");
    const live = await listenFifo(join(dir, "live"));
    try {
      assert.equal(await codeOf(listenFifo(join(dir, "live"))), "address-in-use");
    } finally {
      await live.close();
    }
    await mkfifo(join(dir, "stale"), 0o600);
    const replacing = await listenFifo(join(dir, "stale"));
    await replacing.close();
    // A pending read ends with "closed".
    const server = await listenFifo(join(dir, "mi.fifo"));
    const reading = codeOf(server.read());
    await server.close();
    assert.equal(await reading, "closed");
  }),
);

test(
  "writeFifoReply() refuses names, links and files a server must not write to",
  withDir(async (dir) => {
    assert.equal(await codeOf(writeFifoReply(dir, "a.b", encode("x"))), "usage");
    assert.equal(await codeOf(writeFifoReply(dir, "a/b", encode("x"))), "usage");
    writeFileSync(join(dir, "file"), "precious");
    assert.equal(await codeOf(writeFifoReply(dir, "file", encode("x"))), "not-a-socket");
    await mkfifo(join(dir, "target"), 0o600);
    symlinkSync(join(dir, "target"), join(dir, "link"));
    assert.equal(await codeOf(writeFifoReply(dir, "link", encode("x"))), "unsafe-path");
    // Nobody reads: OpenSIPS's 4 retries, then refused.
    assert.equal(await codeOf(writeFifoReply(dir, "target", encode("x"))), "connection-refused");
  }),
);

test(
  "listenFifo() gives the FIFO its mode, owner and group (ctl's mode, user and group)",
  {
    skip: globalThis.process?.getuid?.() === 0
      ? false
      : "only root may give a file to another owner",
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-owner-"));
    const path = join(dir, "kamailio_fifo");
    const server = await listenFifo(path, { mode: 0o620, uid: 1, gid: 2 });
    try {
      const stat = statSync(path);
      assert.equal(stat.mode & 0o777, 0o620);
      assert.equal(stat.uid, 1);
      assert.equal(stat.gid, 2);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
