/**
 * What a peer can write to a served FIFO: a request over the server's
 * buffer, a flood that never completes a header, a reply name that is not a
 * plain file name. Each gets what the real server gives (an error, or
 * nothing), the server goes on, and the next request is answered.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "./server.ts";
import type { Logger } from "./types.ts";
import { defaultTransport } from "../transport/open.ts";
import { jsonRpcFifoFraming } from "../protocol/jsonrpc/carriage.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

/** A logger whose lines can be waited for. */
function recordingLogger(): Logger & {
  lines: { message: string; fields?: Record<string, unknown> }[];
  next(message: string, timeoutMs: number): Promise<Record<string, unknown> | undefined>;
} {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const waiters: { message: string; resolve: (f?: Record<string, unknown>) => void }[] = [];
  return {
    lines,
    log(_level, message, fields) {
      lines.push({ message, fields });
      for (const w of waiters.filter((w) => w.message === message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(fields);
      }
    },
    next(message, timeoutMs) {
      const seen = lines.find((l) => l.message === message);
      if (seen) return Promise.resolve(seen.fields);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${message}" log line in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          message,
          resolve: (fields) => {
            clearTimeout(timer);
            resolve(fields);
          },
        });
      });
    },
  };
}

/**
 * Writes `chunks` to the FIFO at `path` as a peer does: through `cat` in a
 * process of its own, whose writes may wait for room while this process
 * (the server) reads.
 */
function writeRaw(path: string, chunks: Iterable<Uint8Array>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", 'exec cat > "$1"', "sh", path], {
      stdio: ["pipe", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => code === 0 ? resolve() : reject(new Error(`cat exited ${code}`)));
    for (const chunk of chunks) child.stdin!.write(chunk);
    child.stdin!.end();
  });
}

async function withServer(
  fn: (ctx: {
    dir: string;
    replyDir: string;
    logger: ReturnType<typeof recordingLogger>;
    server: ReturnType<typeof createServer>;
  }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-requests-"));
  const replyDir = join(dir, "r");
  mkdirSync(replyDir);
  const logger = recordingLogger();
  const server = createServer({ transport: defaultTransport(), fifoReplyDir: replyDir, logger });
  try {
    await fn({ dir, replyDir, logger, server });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const kamailioUptime = encode('{"jsonrpc":"2.0","method":"core.uptime","id":7}');

test("serve jsonrpc/kamailio=fifo: a request over 8191 bytes is dropped as jsonrpcs drops it; the server goes on", async () => {
  await withServer(async ({ dir, replyDir, server }) => {
    const fifo = join(dir, "k.fifo");
    await server.listen(`fifo:${fifo}`, { dialect: "jsonrpc", flavour: "kamailio" });
    // The first 8191 bytes are dropped; as in Kamailio, the other 810 and the
    // "{}" are then read as one document that does not parse (no reply), and
    // the stream is in step again.
    await writeRaw(fifo, [encode("{" + "a".repeat(9000)), encode("{}\n")]);
    const reply = await defaultTransport().exchange({ kind: "fifo", path: fifo }, kamailioUptime, {
      fifo: jsonRpcFifoFraming("kamailio"),
      replyDir,
      timeoutMs: 5000,
    });
    assert.equal(json(reply).id, 7);
    assert.equal(server.stats()["jsonrpc:oversized"], 1);
  });
});

test("serve jsonrpc=fifo (OpenSIPS): ':' and bytes without a second ':' are dropped in bounded memory; the next request is answered", async () => {
  await withServer(async ({ dir, replyDir, server }) => {
    const fifo = join(dir, "o.fifo");
    await server.listen(`fifo:${fifo}`, { dialect: "jsonrpc" });
    // 4 MiB of one header that never ends, in pipe-sized writes.
    const garbage = encode("g".repeat(65536));
    await writeRaw(fifo, [encode(":"), ...Array.from({ length: 64 }, () => garbage)]);
    const request = encode('{"jsonrpc":"2.0","method":"uptime","id":8}');
    const reply = await defaultTransport().exchange({ kind: "fifo", path: fifo }, request, {
      fifo: jsonRpcFifoFraming("opensips"),
      replyDir,
      timeoutMs: 5000,
    });
    assert.equal(json(reply).id, 8);
    assert.equal(server.stats()["jsonrpc:invalid_requests"], 1);
  });
});

test("serve jsonrpc/kamailio=fifo: a reply name that is not a plain file name is refused, never opened", async () => {
  await withServer(async ({ dir, replyDir, logger, server }) => {
    const fifo = join(dir, "k.fifo");
    await server.listen(`fifo:${fifo}`, { dialect: "jsonrpc", flavour: "kamailio" });
    // Kamailio's parser drops \u0000 and would answer into "okname".
    execFileSync("mkfifo", ["-m", "600", join(replyDir, "okname")]);
    const trap = openSync(join(replyDir, "okname"), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      await writeRaw(fifo, [
        encode('{"jsonrpc":"2.0","method":"core.uptime","id":1,"reply_name":"ok\\u0000name"}\n'),
      ]);
      const refused = await logger.next("reply FIFO name refused", 5000);
      assert.equal(refused?.to, "ok\u0000name");
      assert.match(String(refused?.reason), /control character/);
      // A newline, and a name too long for the reply directory (whose path
      // takes more than 27 of the 127 bytes): run, but not answered.
      for (const name of ["a\\nb", "x".repeat(100)]) {
        logger.lines.length = 0;
        await writeRaw(fifo, [
          encode(`{"jsonrpc":"2.0","method":"core.uptime","reply_name":"${name}"}`),
        ]);
        const line = await logger.next("reply FIFO name refused", 5000);
        assert.match(String(line?.reason), name.length > 4 ? /over \d+ bytes/ : /control/);
      }
      // No reply_name, or one of 128 bytes or more: jsonrpcs does not even run it.
      for (const member of ["", `,"reply_name":"${"y".repeat(128)}"`]) {
        logger.lines.length = 0;
        await writeRaw(fifo, [encode(`{"jsonrpc":"2.0","method":"core.uptime"${member}}`)]);
        const line = await logger.next("FIFO request dropped", 5000);
        assert.match(String(line?.reason), /jsonrpcs does not run it/);
      }
      // Nothing was written to "okname": no writer ever came, so the read ends at once.
      assert.equal(readSync(trap, new Uint8Array(16)), 0);
      const stats = server.stats();
      assert.equal(stats["jsonrpc:no_reply_address"], 3);
      assert.equal(
        stats["jsonrpc_cmd:core.uptime"],
        3,
        "the refused names ran, the dropped ones not",
      );
      assert.equal(stats["jsonrpc:invalid_requests"], 2);
    } finally {
      closeSync(trap);
    }
  });
});
