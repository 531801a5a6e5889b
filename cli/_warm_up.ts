/**
 * A warm-up for the start-up snapshot of the single executable: runs the
 * one-shot `send` paths once, in memory (no socket, no file), so that the
 * snapshot holds their compiled code instead of every start compiling it.
 *
 * @module
 */
import { createServer } from "../lib/server/server.ts";
import { createMemoryTransport, defaultTransport } from "../lib/transport/open.ts";
import { captureIo } from "./io.ts";
import { cli } from "./main.ts";

/** Sends one request in each dialect to an in-memory server through the CLI; resolves the exit statuses. */
export async function warmUp(): Promise<number[]> {
  const transport = createMemoryTransport();
  const server = createServer({ transport, version: "warm-up", builtins: true });
  const codes: number[] = [];
  try {
    await server.listen("unix:/warm-up/mi.sock");
    await server.listen("unix:/warm-up/jsonrpc.sock", { dialect: "jsonrpc", flavour: "kamailio" });
    await server.listen("udp:127.0.0.1:1", { dialect: "binrpc" });
    for (
      const args of [
        ["send", "-s", "unix:/warm-up/mi.sock", "version"],
        ["send", "--dialect", "jsonrpc", "-s", "unix:/warm-up/jsonrpc.sock", "core.version"],
        ["send", "--dialect", "binrpc", "-s", "udp:127.0.0.1:1", "core.version"],
        ["send", "--dialect", "binrpc", "-s", "udp:127.0.0.1:1", "--json", "core.uptime"],
      ]
    ) {
      const io = captureIo({ transport, env: { MIDGRAM_CONFIG: "/dev/null" } });
      codes.push(await cli(args, io));
    }
  } finally {
    await server.close();
  }
  // One real UDP exchange on loopback: Node's dgram (and the cluster module
  // it loads on first use) and midgram's UDP sockets, compiled too.
  const udp = defaultTransport(); // the snapshot is built on Node: Node's adapter
  const real = createServer({ transport: udp, version: "warm-up", builtins: true });
  try {
    const address = await real.listen("udp:127.0.0.1:0", { dialect: "binrpc" });
    const io = captureIo({ transport: udp, env: { MIDGRAM_CONFIG: "/dev/null" } });
    const port = (address as { port: number }).port;
    codes.push(
      await cli(["send", "--dialect", "binrpc", "-s", `udp:127.0.0.1:${port}`, "core.version"], io),
    );
  } finally {
    await real.close();
  }
  await settleTimers();
  return codes;
}

/**
 * Leaves Node's timer state as a fresh process has it. The exchanges above
 * set timers for their time limits and cleared them when the replies came;
 * clearing them leaves Node's "next expiry" (a variable of its timers
 * module, in event-loop time, which starts at 0 in every process) at the
 * earliest limit scheduled, about 2 s into the build, with the native timer
 * behind it stopped. The snapshot keeps that variable but no native timer:
 * in the executable, a timer due later than that stale expiry never
 * scheduled one, so every time limit of about 2.1 s or more, the default
 * 5 s included, never fired. One short timer that really fires makes Node
 * process its timer lists, find them empty and reset the expiry.
 */
function settleTimers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}
