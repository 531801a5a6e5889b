// The real kamcmd and `midgram kamcmd` against a real Kamailio, over each
// transport: stdout must be the same, byte for byte. Needs a running
// instance (`MIDGRAM_KAMAILIO_RUNDIR`, its ctl ports in
// `MIDGRAM_KAMAILIO_CTL_UDP`/`_TCP`, default 2046/2047) and the real client
// (`MIDGRAM_KAMCMD`); `.ci/run` sets them. Against peers that answer
// wrongly, the real client alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { captureIo } from "../io.ts";
import { kamcmdCommand } from "./kamcmd.ts";
import { frame } from "../../lib/protocol/binrpc/frame.ts";
import { readPacket } from "../../lib/protocol/binrpc/read_packet.ts";
import { writePacket } from "../../lib/protocol/binrpc/write_packet.ts";
import { writeRecords } from "../../lib/protocol/binrpc/write_records.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { FrameReader } from "../../lib/transport/read_frames.ts";

const rundir = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const kamcmd = process.env.MIDGRAM_KAMCMD;
const udp = process.env.MIDGRAM_KAMAILIO_CTL_UDP || "2046";
const tcp = process.env.MIDGRAM_KAMAILIO_CTL_TCP || "2047";
const skip = !rundir
  ? "MIDGRAM_KAMAILIO_RUNDIR is not set (run a Kamailio with ctl)"
  : !kamcmd
  ? "MIDGRAM_KAMCMD is not set (the path of the real kamcmd)"
  : false;

/** Calls whose output does not change between two runs a moment apart. */
const CALLS: string[][] = [
  ["core.version"],
  ["ps"],
  ["core.ps"],
  ["--", "core.echo", "a", "1", "-5", "2.5", "s:3", "0x10", "1e3", "x y"],
  ["system.listMethods"],
  ["nope.x"],
  ["-f", "pid: %v  desc: %v\\n", "core.ps"],
  ["-f", "%v|%%v|", "core.echo", "a", "b", "c"],
  // Control characters (OSC 52, BEL, C1 CSI, DEL) in a string value: in a pipe, as they came.
  ["core.echo", "a\x1b]52;c;aGk=\x07\u009b8m\x7fb"],
  ["help"],
  ["help", "ps"],
  ["help", "core.ps"],
  ["help", "nope"],
  ["listen"],
  ["who"],
  ["cfg.get", "core", "debug"],
  ["-v", "core.version"],
  ["warranty"],
  ["quit"],
];

const SOCKETS = [
  `unixd:${rundir}/ctld.sock`,
  `udp:127.0.0.1:${udp}`,
  `unixs:${rundir}/ctl.sock`,
  `tcp:127.0.0.1:${tcp}`,
];

const streams = "connectStream" in defaultTransport();

for (const socket of SOCKETS) {
  const stream = socket.startsWith("unixs:") || socket.startsWith("tcp:");
  const why = skip ||
    (stream && !streams ? "this runtime's transport has no stream sockets yet" : false);
  test(
    `midgram kamcmd prints what kamcmd prints over ${socket.split(":")[0]}`,
    { skip: why },
    async () => {
      for (const args of CALLS) {
        const argv = ["-s", socket, ...args];
        const real = spawnSync(kamcmd!, argv, { encoding: "utf8", timeout: 5000, input: "" });
        const io = captureIo();
        const code = await kamcmdCommand(argv, io);
        // `who` names each client's own ephemeral port: the one thing that differs.
        const port = (text: string) => text.replace(/ \d+ -> /g, " PORT -> ");
        assert.equal(port(io.out()), port(real.stdout), `kamcmd ${argv.join(" ")}`);
        assert.equal(io.err(), real.stderr, `kamcmd ${argv.join(" ")} (stderr)`);
        assert.equal(
          code === 0 || code === 1,
          real.status === 0,
          `kamcmd ${argv.join(" ")} (status)`,
        );
      }
    },
  );
}

test(
  "midgram kamcmd's interactive mode prints what kamcmd prints, lines from a pipe",
  { skip },
  async () => {
    const input =
      "core.version\n  ps  \n\nhelp ps\nnope\ncore.echo a  1\tb\nhel\t\nquit\ncore.version\n";
    for (const socket of SOCKETS.slice(0, 2)) {
      const real = spawnSync(kamcmd!, ["-s", socket], { encoding: "utf8", timeout: 5000, input });
      const io = captureIo({ stdin: input });
      assert.equal(await kamcmdCommand(["-s", socket], io), 0);
      assert.equal(io.out(), real.stdout);
    }
  },
);

test(
  "midgram kamcmd prints what kamcmd prints with its reply socket at -R or in -D",
  { skip },
  () =>
    withReplyDir(async (dir) => {
      for (const option of [["-R", join(dir, "reply.sock")], ["-D", dir]]) {
        const argv = [...option, "-s", `unixd:${rundir}/ctld.sock`, "core.version"];
        const real = spawnSync(kamcmd!, argv, { encoding: "utf8", timeout: 5000, input: "" });
        const io = captureIo();
        assert.equal(await kamcmdCommand(argv, io), 0, io.err());
        assert.equal(io.out(), real.stdout, option[0]);
        assert.equal(io.err(), real.stderr, `${option[0]} (stderr)`);
      }
    }),
);

/** Runs `body` with a fresh directory, removed after. */
async function withReplyDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-reply-"));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wrong answers to a request of cookie `c`, as a peer's reply bytes. */
const WRONG: Record<string, (c: number) => Uint8Array> = {
  "another cookie": (c) => writePacket({ type: "reply", cookie: c + 1, body: writeRecords(["x"]) }),
  "a request": (c) => writePacket({ type: "request", cookie: c, body: writeRecords(["x"]) }),
  "no binrpc header": () => Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
  "another version": (c) => {
    const packet = writePacket({ type: "reply", cookie: c, body: writeRecords(["x"]) });
    packet[0] = 0xa2;
    return packet;
  },
  // On a stream the peer closes after it; a datagram cut is waited on forever by kamcmd.
  "a cut reply": (c) => {
    const packet = writePacket({ type: "reply", cookie: c, body: writeRecords(["xyz"]) });
    return packet.subarray(0, packet.length - 2);
  },
  "nothing (a close, an empty datagram)": () => new Uint8Array(0),
  "a bad second record": (c) =>
    writePacket({
      type: "reply",
      cookie: c,
      body: Uint8Array.from([0x21, 0x61, 0x00, 0x0f, 0x00]),
    }),
  "a fault": (c) => writePacket({ type: "fault", cookie: c, body: writeRecords([500, "boom"]) }),
};

/** A peer answering every request with `answer(cookie)` (a stream peer then closes). */
async function wrongPeer(kind: string, path: string, answer: (c: number) => Uint8Array) {
  const transport = defaultTransport();
  const stop = new AbortController();
  let serving: Promise<void>;
  let address: string;
  let close: () => Promise<void>;
  if (kind === "udp" || kind === "unixd") {
    const socket = kind === "udp"
      ? await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 })
      : await transport.bind({ kind: "unix", path });
    address = kind === "udp"
      ? `udp:127.0.0.1:${(socket.address as { port: number }).port}`
      : `unixd:${path}`;
    serving = (async () => {
      while (true) {
        const d = await socket.receive(stop.signal);
        await socket.send(answer(readPacket(d.data).cookie), d.from!);
      }
    })();
    close = () => socket.close();
  } else {
    const listener = kind === "tcp"
      ? await transport.listenStream({ kind: "tcp", host: "127.0.0.1", port: 0 })
      : await transport.listenStream({ kind: "unix-stream", path });
    address = kind === "tcp"
      ? `tcp:127.0.0.1:${(listener.address as { port: number }).port}`
      : `unixs:${path}`;
    serving = (async () => {
      while (true) {
        const connection = await listener.accept(stop.signal);
        try {
          const request = await new FrameReader(connection, (b) => frame(b)).next(stop.signal);
          const reply = answer(readPacket(request!).cookie);
          if (reply.length > 0) await connection.write(reply, { timeoutMs: 5000 });
        } finally {
          await connection.close();
        }
      }
    })();
    close = () => listener.close();
  }
  serving = serving.catch(() => {});
  return {
    address,
    async close() {
      stop.abort();
      await close();
      await serving;
    },
  };
}

/** The real kamcmd's output, killed after 5 s (it waits forever for what never comes). */
function realKamcmd(
  args: string[],
): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(kamcmd!, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c) => (stdout += c));
    child.stderr!.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
  });
}

test(
  "midgram kamcmd prints what kamcmd prints when a peer answers wrongly, over each transport",
  { skip: kamcmd ? false : "MIDGRAM_KAMCMD is not set (the path of the real kamcmd)" },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-wrong-"));
    // Cookies are random: only their difference is the same.
    const cookies = (text: string) =>
      text.replace(/sent [0-9a-f]+ and received {2}[0-9a-f]+/, "sent C and received  C+1");
    try {
      for (const kind of ["udp", "unixd", "tcp", "unixs"]) {
        for (const [what, answer] of Object.entries(WRONG)) {
          const peer = await wrongPeer(kind, join(dir, "ctl"), answer);
          try {
            const argv = ["-s", peer.address, "core.version"];
            const io = captureIo({ env: { MIDGRAM_TIMEOUT: "5s" } });
            const code = await kamcmdCommand(argv, io);
            if (what === "a cut reply" && (kind === "udp" || kind === "unixd")) {
              // kamcmd waits for the rest of a datagram forever: midgram says what it got.
              assert.deepEqual([io.err(), code], [
                "ERROR while parsing the reply: more data needed\n",
                5,
              ]);
              continue;
            }
            const real = await realKamcmd(argv);
            const label = `${kind}, ${what}`;
            assert.equal(io.out(), real.stdout, `${label} (stdout)`);
            assert.equal(cookies(io.err()), cookies(real.stderr), `${label} (stderr)`);
            assert.equal(code === 0 || code === 1, real.status === 0, `${label} (status ${code})`);
          } finally {
            await peer.close();
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
