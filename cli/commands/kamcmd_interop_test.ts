// The real kamcmd and `midgram kamcmd` against a real Kamailio, over each
// transport: stdout must be the same, byte for byte. Needs a running
// instance (`MIDGRAM_KAMAILIO_RUNDIR`, its ctl ports in
// `MIDGRAM_KAMAILIO_CTL_UDP`/`_TCP`, default 2046/2047) and the real client
// (`MIDGRAM_KAMCMD`); `.ci/run` sets them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { captureIo } from "../io.ts";
import { kamcmdCommand } from "./kamcmd.ts";
import { defaultTransport } from "../../lib/transport/open.ts";

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
