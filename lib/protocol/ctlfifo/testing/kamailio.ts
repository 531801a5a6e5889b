/**
 * Test helper: a Kamailio of its own with ctl's FIFO protocol on a FIFO, UDP
 * and TCP (the suite's shared Kamailio does not load them), on free
 * loopback ports and in a temporary directory, stopped by `stop()`.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** A running Kamailio speaking ctl's FIFO protocol. */
export interface CtlFifoKamailio {
  dir: string;
  /** The server FIFO (`modparam("ctl", "fifo", "fifo:…")`). */
  fifo: string;
  udp: number;
  tcp: number;
  /** Stops it (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

const MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/";

/** A port free now on 127.0.0.1 for both UDP and TCP (asked of the OS, checked for the other). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0 }, () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("No free port for the test Kamailio");
}

/** One UDP request; its reply, or null when none comes within `ms`. */
export function udpExchange(
  port: number,
  request: Uint8Array,
  ms: number,
): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const done = (value: Uint8Array | null) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), ms);
    socket.once("message", (data) => done(new Uint8Array(data)));
    socket.once("error", () => done(null));
    socket.send(request, port, "127.0.0.1");
  });
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts Kamailio (`KAMAILIO_BIN`, default `/usr/sbin/kamailio`) with ctl's
 * FIFO protocol on a FIFO, UDP and TCP; returns why not (a skip reason)
 * when it is not installed or does not come up in 100 tries.
 */
export async function startCtlFifoKamailio(): Promise<CtlFifoKamailio | string> {
  const bin = process.env.KAMAILIO_BIN ?? "/usr/sbin/kamailio";
  if (!existsSync(bin)) return `kamailio is not installed (${bin})`;
  if (!existsSync(join(MODULES, "ctl.so"))) {
    return `Kamailio's ctl module is not installed (${MODULES})`;
  }
  const dir = mkdtempSync(join(tmpdir(), "midgram-kam-ctlfifo-"));
  const [sip, udp, tcp] = [await freePort(), await freePort(), await freePort()];
  const fifo = join(dir, "kamailio_fifo");
  writeFileSync(
    join(dir, "kamailio.cfg"),
    [
      "#!KAMAILIO",
      "debug=2",
      "log_stderror=yes",
      "children=1",
      "auto_aliases=no",
      `listen=udp:127.0.0.1:${sip}`,
      `mpath="${MODULES}"`,
      'loadmodule "ctl.so"',
      `modparam("ctl", "binrpc", "unixs:${join(dir, "ctl.sock")}")`,
      `modparam("ctl", "fifo", "fifo:${fifo}")`,
      `modparam("ctl", "fifo", "udp:127.0.0.1:${udp}")`,
      `modparam("ctl", "fifo", "tcp:127.0.0.1:${tcp}")`,
      'modparam("ctl", "mode", 0600)',
      "request_route {",
      "  drop;",
      "}",
      "",
    ].join("\n"),
  );
  const log = openSync(join(dir, "kamailio.log"), "w");
  const child = spawn(
    bin,
    ["-DD", "-E", "-f", join(dir, "kamailio.cfg"), "-m", "16", "-M", "4", "-w", dir, "-Y", dir],
    { stdio: ["ignore", log, log] },
  );
  closeSync(log);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await exited(child, 5000))) {
        child.kill("SIGKILL");
        await exited(child, 5000);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Up when the FIFO exists and the UDP socket answers; at most 100 tries (about 10 to 20 s).
  const probe = new TextEncoder().encode(":core.version:\n\n");
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (existsSync(fifo) && (await udpExchange(udp, probe, 100)) !== null) {
      return { dir, fifo, udp, tcp, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const why = existsSync(join(dir, "kamailio.log"))
    ? readFileSync(join(dir, "kamailio.log"), "utf8").split("\n").slice(-3).join(" ")
    : "";
  await stop();
  return `the test Kamailio did not come up (100 tries): ${why}`;
}
