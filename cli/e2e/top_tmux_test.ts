// `dist/midgram top` in a real terminal (tmux: send-keys, capture-pane)
// against `serve` as OpenSIPS 3 and 2.4 and, where it runs, the real
// Kamailio over binrpc and JSON-RPC: the screen names each server, its
// numbers move when traffic comes, Tab / p / q work, and after q and after
// SIGTERM the terminal is back in its normal mode.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call } from "../../lib/client/call.ts";
import { clientCodec } from "../../lib/protocol/dialects.ts";
import { NO_PARAMS } from "../../lib/protocol/value.ts";
import { createServer } from "../../lib/server/server.ts";
import { parseAddress } from "../../lib/transport/address.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { BINARY, SPAWNS_ONLY } from "./_processes.ts";

const RUNDIR = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const SIP = process.env.MIDGRAM_KAMAILIO_SIP; // udp:127.0.0.1:PORT, where it takes SIP
const HAS_TMUX = spawnSync("tmux", ["-V"]).status === 0;
const SKIP = SPAWNS_ONLY || (HAS_TMUX ? false : "no tmux to give top a terminal");

/** A tmux server of the test's own, with one window running `command`. */
function tmux(dir: string, name: string, command: string) {
  const socket = join(dir, `${name}.tmux`);
  const t = (...args: string[]) =>
    execFileSync("tmux", ["-S", socket, ...args], { encoding: "utf8" });
  t(
    "-f",
    "/dev/null",
    "new-session",
    "-d",
    "-x",
    "130",
    "-y",
    "60",
    "-e",
    "TERM=xterm-256color",
    "-e",
    "MIDGRAM_CONFIG=/dev/null",
    command,
  );
  t("set-option", "-g", "remain-on-exit", "on");
  return {
    screen: () => t("capture-pane", "-p"),
    keys: (...keys: string[]) => t("send-keys", ...keys),
    show: (format: string) => t("display-message", "-p", format).trim(),
    /** Waits (bounded) until the screen matches (a pattern, or a test of it); returns it. */
    async until(pattern: RegExp | ((screen: string) => boolean), ms = 15_000): Promise<string> {
      const deadline = performance.now() + ms;
      let shown = "";
      while (performance.now() < deadline) {
        shown = t("capture-pane", "-p");
        if (typeof pattern === "function" ? pattern(shown) : pattern.test(shown)) return shown;
        // tmux has no event to wait on: ask again after a short pause, within the bound.
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no ${pattern} on the screen within ${ms} ms:\n${shown}`);
    },
    kill: () => spawnSync("tmux", ["-S", socket, "kill-server"]),
  };
}

/** `serve` as OpenSIPS 3 and OpenSIPS 2.4, on real sockets. */
async function standIns(dir: string) {
  const transport = defaultTransport();
  const server = createServer({ transport, version: "stand-in 3.6" });
  await server.listen(join(dir, "opensips3.sock"), { dialect: "jsonrpc" });
  await server.listen(join(dir, "opensips24.sock"), { dialect: "mi" });
  return {
    opensips3: `jsonrpc=${join(dir, "opensips3.sock")}`,
    opensips24: `mi=${join(dir, "opensips24.sock")}`,
    /** Management traffic: n requests to the OpenSIPS 3 stand-in. */
    async traffic(n: number) {
      const to = parseAddress(join(dir, "opensips3.sock"));
      for (let i = 0; i < n; i++) {
        await call(to, { method: "version", params: NO_PARAMS }, {
          transport,
          codec: clientCodec("jsonrpc"),
          timeoutMs: 2000,
        });
      }
    },
    close: () => server.close(),
  };
}

describe("dist/midgram top in a terminal", { concurrency: true }, () => {
  test("against serve as OpenSIPS 3 and 2.4: names, moving numbers, Tab, p and q", {
    skip: SKIP,
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-top-"));
    const s = await standIns(dir);
    const t = tmux(
      dir,
      "a",
      `${BINARY} top -i 500ms -s ${s.opensips3} -s ${s.opensips24}; echo EXIT=$?; sleep 60`,
    );
    try {
      await t.until(/stand-in 3\.6 {2}jsonrpc/);
      await t.until(/\[1:.*opensips3\.sock\]/);
      await s.traffic(60);
      // The requests the stand-in served rise by the traffic sent (and top's own calls).
      const risen = await t.until(/\+(\d{2,})\s+\S+\/s\s+\d+\s+opensips_jsonrpc_requests_total/);
      assert.match(risen, /ROSE MOST/);
      t.keys("Tab");
      await t.until(/\[2:.*opensips24\.sock\]/);
      await t.until(/stand-in 3\.6 {2}mi/);
      t.keys("p");
      await t.until(/PAUSED/);
      t.keys("p");
      await t.until(/every 500ms {2}\d\d:\d\d:\d\d/);
      t.keys("?");
      await t.until(/KEYS/);
      t.keys("q");
      await t.until(/EXIT=0/);
      assert.equal(t.show("#{alternate_on}"), "0", "out of the alternate screen");
      assert.equal(t.show("#{cursor_flag}"), "1", "the cursor shows");
    } finally {
      t.kill();
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("SIGTERM restores the terminal and exits 143", { skip: SKIP, timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-top-"));
    const s = await standIns(dir);
    const t = tmux(dir, "b", `${BINARY} top -i 500ms -s ${s.opensips3}; echo EXIT=$?; sleep 60`);
    try {
      await t.until(/stand-in 3\.6/);
      assert.equal(t.show("#{alternate_on}"), "1", "full screen while it runs");
      assert.equal(t.show("#{cursor_flag}"), "0", "the cursor hidden while it runs");
      // The pane runs a shell; top is its child.
      const shell = t.show("#{pane_pid}");
      const top = execFileSync("pgrep", ["-P", shell], { encoding: "utf8" }).trim();
      process.kill(Number(top), "SIGTERM");
      await t.until(/EXIT=143/, 10_000);
      assert.equal(t.show("#{alternate_on}"), "0");
      assert.equal(t.show("#{cursor_flag}"), "1");
    } finally {
      t.kill();
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("against the real Kamailio over binrpc and JSON-RPC, with SIP traffic", {
    skip: SKIP || (RUNDIR ? false : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (.ci/run does)"),
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-top-"));
    const t = tmux(
      dir,
      "k",
      `${BINARY} top -i 500ms -s ${RUNDIR}/ctl.sock -s ${RUNDIR}/jsonrpc.sock; echo EXIT=$?; sleep 60`,
    );
    try {
      await t.until(/kamailio 5\.\d+\.\d+.* {2}binrpc/);
      if (SIP) {
        const before = Number(
          /requests in\s+\S+\s+(\d+)/.exec(await t.until(/requests in\s+\S+\s+\d+/))![1],
        );
        const [, host, port] = /^udp:(.+):(\d+)$/.exec(SIP)!;
        const udp = createSocket("udp4");
        try {
          for (let i = 0; i < 30; i++) {
            const message =
              `OPTIONS sip:${host}:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKtop${i}\r\n` +
              `From: <sip:top@test>;tag=${i}\r\nTo: <sip:k@test>\r\nCall-ID: top-${i}\r\nCSeq: 1 OPTIONS\r\n` +
              "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
            await new Promise<void>((resolve, reject) =>
              udp.send(message, Number(port), host, (e) => e ? reject(e) : resolve())
            );
          }
        } finally {
          udp.close();
        }
        // At least the 30 sent: other tests, run alongside, may send the same
        // Kamailio requests of their own.
        const after = await t.until((screen) =>
          Number(/requests in\s+\S+\s+(\d+)/.exec(screen)?.[1] ?? -1) >= before + 30
        );
        assert.match(after, /kamailio_core_rcv_requests/);
      }
      t.keys("Tab");
      await t.until(/\[2:.*jsonrpc\.sock\]/);
      await t.until(/kamailio 5\.\d+\.\d+.* {2}jsonrpc/);
      t.keys("q");
      await t.until(/EXIT=0/);
      assert.equal(t.show("#{alternate_on}"), "0");
    } finally {
      t.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
