/**
 * `serve` replaces a socket file only when it is provably dead: a live
 * stream listener, or a live socket this user may not write to, is refused
 * and left in place.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createStreamServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { otherUserSkip, stageForOtherUser } from "./_other_user.ts";

function runAs(
  user: string,
  file: string,
  args: string[],
  cwd: string,
): Promise<{ status: number; err: string }> {
  return new Promise((resolve) => {
    execFile(
      "runuser",
      ["-u", user, "--", file, ...args],
      { timeout: 10_000, cwd },
      (error, _o, err) => {
        resolve({ status: error ? (typeof error.code === "number" ? error.code : 124) : 0, err });
      },
    );
  });
}

test("serve refuses to replace a live stream listener at its path and leaves it there", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-sockfile-"));
  const path = join(dir, "ctl.sock");
  const stream = createStreamServer((c) => c.resume());
  await new Promise<void>((resolve) => stream.listen(path, resolve));
  try {
    const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    const status = await cli(["serve", "-s", path], io);
    assert.equal(status, 4, io.err());
    assert.match(io.err(), /a stream socket is there; refusing to replace it/);
    assert.ok(lstatSync(path).isSocket(), "the listener's socket file is still there");
  } finally {
    await new Promise((resolve) => stream.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});

test("serve as another user refuses root's live 0600 socket instead of taking it for dead", {
  skip: otherUserSkip("nobody"),
}, async () => {
  // A directory nobody may reach wherever the checkout lives, with the binary in it.
  const stage = stageForOtherUser("midgram-sockfile-");
  const dir = join(stage.dir, "sockets");
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  const path = join(dir, "mi.sock");
  const live = await defaultTransport().bind({ kind: "unix", path }, { mode: 0o600 });
  try {
    const result = await runAs("nobody", stage.binary, [
      "serve",
      "-s",
      path,
      "--config",
      "/dev/null",
    ], stage.dir);
    assert.equal(result.status, 4, result.err);
    assert.match(
      result.err,
      /this user may not write to it, so it cannot be told from a live server's/,
    );
    assert.ok(lstatSync(path).isSocket(), "root's socket is still there");
  } finally {
    await live.close();
    stage.remove();
  }
});

test("send names what is at an address that is not a socket, and the group a socket wants", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-sockfile-"));
  try {
    const { execFileSync } = await import("node:child_process");
    const { writeFileSync } = await import("node:fs");
    execFileSync("mkfifo", [join(dir, "fifo")]);
    writeFileSync(join(dir, "file"), "");
    for (
      const [name, what] of [["fifo", /it is a FIFO, not a socket: .*write fifo:/], [
        "file",
        /it is a regular file, not a socket/,
      ]] as const
    ) {
      const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
      assert.equal(await cli(["send", "--dialect", "mi", "-s", join(dir, name), "version"], io), 4);
      assert.match(io.err(), what);
    }
    const { socketAccessHint } = await import("../../lib/transport/_errors.ts");
    const socket = await defaultTransport().bind({ kind: "unix", path: join(dir, "s.sock") }, {
      mode: 0o640,
    });
    try {
      assert.match(
        socketAccessHint(join(dir, "s.sock")),
        /gives its group no write permission, so joining group \S+ would not help/,
      );
      chmodSync(join(dir, "s.sock"), 0o660);
      assert.match(socketAccessHint(join(dir, "s.sock")), /group \S+/);
    } finally {
      await socket.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
