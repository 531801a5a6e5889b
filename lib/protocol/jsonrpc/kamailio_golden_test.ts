// Interop: replays the Kamailio golden cases against a running Kamailio 5.6
// (`MIDGRAM_KAMAILIO_RUNDIR`, e.g. from `kamailio.sh start RUNDIR`) over its
// `jsonrpc.sock` and compares the replies byte for byte. Skips otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultTransport } from "../../transport/open.ts";

const DIR = fileURLToPath(new URL("../../../testdata/jsonrpc/kamailio/", import.meta.url));
const runDir = globalThis.process?.env?.MIDGRAM_KAMAILIO_RUNDIR ?? "";
const socket = runDir ? `${runDir}/jsonrpc.sock` : "";
const skip = !runDir
  ? "MIDGRAM_KAMAILIO_RUNDIR is not set"
  : !existsSync(socket)
  ? `no socket at "${socket}"`
  : false;
/** How long to wait for a reply before calling it "no reply". */
const WAIT_MS = 500;
const text = (b: Uint8Array | null) => b === null ? "(no reply)" : new TextDecoder().decode(b);

for (const file of readdirSync(DIR).filter((f) => f.endsWith(".json")).sort()) {
  const name = file.slice(0, -5);
  test(`real Kamailio answers the golden case kamailio/${name}`, { skip }, async () => {
    const request = new Uint8Array(readFileSync(DIR + file));
    const expected = existsSync(`${DIR}${name}.noreply`)
      ? null
      : new Uint8Array(readFileSync(`${DIR}${name}.reply`));
    if (request.length === 0) return; // An empty datagram is never answered; nothing to send.
    const peer = { kind: "unix" as const, path: socket };
    const sock = await defaultTransport().connectable(peer);
    try {
      await sock.send(request, peer, { timeoutMs: 2000 });
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new Error("no reply")), WAIT_MS);
      let reply: Uint8Array | null = null;
      try {
        reply = (await sock.receive(ac.signal)).data;
      } catch (e) {
        if (!ac.signal.aborted) throw e;
      } finally {
        clearTimeout(timer);
      }
      assert.equal(text(reply), text(expected));
    } finally {
      await sock.close();
    }
  });
}
