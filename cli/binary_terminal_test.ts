// Tests of the single executable dist/midgram on a real pseudo-terminal (util-linux
// `script`) and in pipes: a server's escape sequences are shown on the terminal, and
// pass byte for byte through a pipe or a file. They only spawn processes and open
// loopback sockets, so they run the same under Node and Deno.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, SPAWNS_ONLY } from "./e2e/_processes.ts";
import { readPacket, writePacket, writeRecords } from "../lib/protocol/binrpc/mod.ts";

/** OSC 52 (write the clipboard) and a title, then CSI as one C1 character. */
const EVIL = "a\x1b]52;c;aGk=\x07\x1b]0;pwned\x07\u009b8mb";
/** How a terminal must get it. */
const SHOWN = "a\\u001b]52;c;aGk=\\u0007\\u001b]0;pwned\\u0007\\u009b8mb";

const SCRIPT = spawnSync("script", ["--version"]).status === 0;
const NO_SCRIPT = "util-linux `script` is not installed: no pseudo-terminal to test on";

/** Runs a process to its end (30 s at most); resolves its status and the bytes of stdout and stderr. */
function collect(
  command: string,
  args: string[],
): Promise<{ status: number | null; stdout: Buffer; stderr: Buffer }> {
  assert.ok(existsSync(BINARY), `${BINARY} is missing: run npm run build first`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        MIDGRAM_CONFIG: "/dev/null",
        TERM: "xterm",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout!.on("data", (c: Buffer) => stdout.push(c));
    child.stderr!.on("data", (c: Buffer) => stderr.push(c));
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    });
  });
}

/** `midgram ARGS` on a pseudo-terminal: what the terminal received, CR LF made LF, and the exit status. */
async function onTerminal(
  args: string[],
  redirect = "",
): Promise<{ status: number; screen: string }> {
  const quoted = [BINARY, ...args].map((a) => `'${a}'`).join(" ");
  // -e: script exits with the command's status; -q: no "Script started" lines.
  const r = await collect("script", ["-qec", `${quoted}${redirect}; exit $?`, "/dev/null"]);
  return { status: r.status ?? -1, screen: r.stdout.toString("utf8").replaceAll("\r\n", "\n") };
}

/** A UDP peer that answers every datagram with `answer(datagram)`. */
async function peer(answer: (datagram: Buffer) => Uint8Array | string): Promise<Socket> {
  const socket = createSocket("udp4");
  socket.on("message", (m, from) => socket.send(answer(m), from.port, from.address));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return socket;
}

test(
  "dist/midgram shows a server's escape sequences on a terminal and writes them as they came to a pipe",
  {
    skip: SPAWNS_ONLY || (!SCRIPT && NO_SCRIPT),
  },
  async () => {
    // A JSON-RPC server's raw-text error, and a binrpc server whose every reply is one string.
    const jsonrpc = await peer(() => `400 ${EVIL}\n`);
    const binrpc = await peer((m) =>
      writePacket({ type: "reply", cookie: readPacket(m).cookie, body: writeRecords([EVIL]) })
    );
    const dir = mkdtempSync(join(tmpdir(), "midgram-tty-"));
    try {
      const send = [
        "send",
        "-s",
        `jsonrpc=udp:127.0.0.1:${jsonrpc.address().port}`,
        "core.version",
      ];
      const kamcmd = ["kamcmd", "-s", `udp:127.0.0.1:${binrpc.address().port}`, "core.version"];

      // On the terminal: the reply on stdout and the message on stderr, both shown.
      const tty = await onTerminal(send);
      assert.equal(tty.status, 1);
      assert.ok(tty.screen.includes(`400 ${SHOWN}\n`), tty.screen);
      assert.ok(tty.screen.includes(`answered error 400: ${SHOWN}\n`), tty.screen);
      assert.ok(!tty.screen.includes("\x1b") && !tty.screen.includes("\x07"), tty.screen);
      const kamcmdTty = await onTerminal(kamcmd);
      assert.equal(kamcmdTty.status, 0);
      assert.equal(kamcmdTty.screen, `${SHOWN}\n`);

      // Each stream is judged on its own: stdout on the terminal, stderr to a file.
      const file = join(dir, "stderr");
      const split = await onTerminal(send, ` 2>'${file}'`);
      assert.equal(split.status, 1);
      assert.equal(split.screen, `400 ${SHOWN}\n`);
      assert.ok(readFileSync(file, "utf8").endsWith(`answered error 400: ${EVIL}\n`));

      // Through pipes: the bytes as they came (kamcmd's output is kamcmd's, byte for byte).
      const piped = await collect(BINARY, send);
      assert.equal(piped.status, 1);
      assert.deepEqual(piped.stdout, Buffer.from(`400 ${EVIL}\n`));
      assert.ok(piped.stderr.toString("utf8").endsWith(`answered error 400: ${EVIL}\n`));
      const kamcmdPiped = await collect(BINARY, kamcmd);
      assert.equal(kamcmdPiped.status, 0);
      assert.deepEqual(kamcmdPiped.stdout, Buffer.from(`${EVIL}\n`));
      assert.equal(kamcmdPiped.stderr.length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await Promise.all(
        [jsonrpc, binrpc].map((s) => new Promise<void>((resolve) => s.close(resolve))),
      );
    }
  },
);
