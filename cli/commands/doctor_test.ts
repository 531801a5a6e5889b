import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createStreamServer } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { startServer } from "../e2e/_processes.ts";
import { createServer } from "../../lib/server/server.ts";
import { formatAddress } from "../../lib/transport/address.ts";
import { defaultTransport } from "../../lib/transport/open.ts";

/** doctor with a 500 ms limit: the cases where no reply is the point. */
async function doctor(socket: string, ...more: string[]): Promise<{ code: number; out: string }> {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  const code = await cli(["doctor", "-s", socket, "-t", "500ms", ...more], io);
  return { code, out: io.out() };
}

/** doctor against a server that answers: the default limit, as a loaded machine may need it. */
function doctorLive(socket: string): Promise<{ code: number; out: string }> {
  return doctor(socket, "-t", "5s");
}

test("doctor explains a missing socket, a file, a stream socket and a dead server", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-doctor-"));
  try {
    let r = await doctor(join(dir, "missing.sock"));
    assert.equal(r.code, 1);
    assert.match(r.out, /^FAIL .*missing\.sock does not exist: is the server running/m);
    r = await doctor(join(dir, "nope", "x.sock"));
    assert.match(r.out, /nor does its directory/);

    writeFileSync(join(dir, "file"), "x");
    r = await doctor(join(dir, "file"));
    assert.equal(r.code, 1);
    assert.match(r.out, /file is a regular file, not a socket/);

    // A stream socket that reads and never answers.
    const stream = createStreamServer((c) => c.resume());
    await new Promise<void>((resolve) => stream.listen(join(dir, "stream.sock"), resolve));
    try {
      r = await doctor(join(dir, "stream.sock"), "--dialect", "mi");
      assert.equal(r.code, 1);
      assert.match(r.out, /is a stream socket, not a datagram socket/);
      r = await doctor(join(dir, "stream.sock"));
      assert.equal(r.code, 1);
      assert.match(r.out, /speaks binrpc: it is a UNIX stream socket/);
      // A stream has no reply socket: never blamed.
      assert.match(
        r.out,
        /^FAIL .*stream\.sock accepted the connection but gave no reply within 500 ms/m,
      );
      assert.doesNotMatch(r.out, /reply socket/);
    } finally {
      await new Promise((resolve) => stream.close(resolve));
    }

    const proc = await startServer(
      "node",
      ["-s", join(dir, "dead.sock"), "--log-level", "error"],
      1,
    );
    proc.child.kill("SIGKILL"); // dies without removing its socket file
    await new Promise((resolve) => proc.child.once("exit", resolve));
    r = await doctor(join(dir, "dead.sock"));
    assert.equal(r.code, 1);
    assert.match(r.out, /^ok {3}.*dead\.sock is a socket/m);
    assert.match(
      r.out,
      /nothing serves .*dead\.sock: the server is down \(a stale socket file is left\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("doctor reports a healthy server with its round-trip time and version, exit 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-doctor-"));
  // In this process: doctor is what is tested, not how the server starts.
  const server = createServer({ transport: defaultTransport() });
  try {
    const addresses = [
      await server.listen({ kind: "unix", path: join(dir, "mi.sock") }),
      await server.listen({ kind: "udp", host: "127.0.0.1", port: 0 }),
    ].map(formatAddress);
    for (const address of addresses) {
      const r = await doctorLive(address);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /answers in \d+\.\d ms: midgram \d/);
    }
    const silent = await doctor("udp:127.0.0.1:9");
    assert.equal(silent.code, 1);
    // Node hears the ICMP "port unreachable" at once; Deno's UDP sockets cannot connect, so
    // there it is a timeout.
    assert.match(
      silent.out,
      "Deno" in globalThis
        ? /no reply within 500 ms: the server is down/
        : /nothing listens on udp:127.0.0.1:9: the server is down/,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("doctor reaches a ctlfifo server over its FIFO, UDP (also found by auto) and TCP", async () => {
  const { createServer } = await import("../../lib/server/server.ts");
  const { defaultTransport } = await import("../../lib/transport/open.ts");
  const { formatAddress } = await import("../../lib/transport/address.ts");
  const dir = mkdtempSync(join(tmpdir(), "midgram-doctor-"));
  const server = createServer({ transport: defaultTransport(), version: "midgram test" });
  try {
    const fifo = formatAddress(
      await server.listen(`fifo:${join(dir, "ctl_fifo")}`, { dialect: "ctlfifo" }),
    );
    const udp = formatAddress(await server.listen("udp:127.0.0.1:0", { dialect: "ctlfifo" }));
    const tcp = formatAddress(await server.listen("tcp:127.0.0.1:0", { dialect: "ctlfifo" }));
    for (const socket of [`ctlfifo=${fifo}`, `ctlfifo=${udp}`, `ctlfifo=${tcp}`, udp]) {
      const r = await doctorLive(socket);
      assert.equal(r.code, 0, `${socket}: ${r.out}`);
      assert.match(r.out, /answers in \d+\.\d ms: midgram test/, socket);
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every subcommand's --help wraps its description at word boundaries, never mid-sentence", async () => {
  for (const command of ["doctor", "parse", "send", "serve", "fuzz", "exporter"]) {
    const io = captureIo();
    assert.equal(await cli([command, "--help"], io), 0);
    const description = io.out().split("\n\n")[1].split("\n");
    // Every line but the last is filled (a hard line break inside a wrapped
    // paragraph leaves a line of a word or two).
    for (const line of description.slice(0, -1)) {
      assert.ok(line.length > 30 && line.length <= 80, `${command}: ${JSON.stringify(line)}`);
    }
  }
});
