import { test } from "node:test";
import assert from "node:assert/strict";
import { cli } from "./main.ts";
import { captureIo } from "./io.ts";
import { VERSION } from "../lib/version.ts";

test("midgram --version --verbose names the runtime, the build, the dialects, the transports and the config", async () => {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  assert.equal(await cli(["--version", "--verbose"], io), 0);
  const out = io.out();
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  assert.match(out, new RegExp(`^midgram ${VERSION.replaceAll(".", "\\.")}\\n`));
  assert.match(out, /^commit: +([0-9a-f]{40}|unknown)$/m);
  assert.match(out, /^built: +from source$/m);
  assert.match(
    out,
    deno ? new RegExp(`^runtime: +deno ${deno.version.deno}$`, "m") : /^runtime: +node v\d+/m,
  );
  assert.match(out, /^transports: +unix \(datagram\), unixs \(stream\), udp, tcp, fifo, http$/m);
  assert.match(out, /^config: +\/dev\/null$/m);
  // Without --verbose, the version alone.
  const plain = captureIo();
  assert.equal(await cli(["--version"], plain), 0);
  assert.equal(plain.out(), `${VERSION}\n`);
});

test("doctor's first line names the version, the runtime and the config file", async () => {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null", NO_COLOR: "1" } });
  await cli(["doctor", "-s", "/nonexistent/midgram-doctor.sock"], io);
  assert.match(
    io.out().split("\n")[0],
    /^ok +midgram \d+\.\d+\.\d+ \(commit .*, from source, (node|deno) .*\), config \/dev\/null$/,
  );
});
