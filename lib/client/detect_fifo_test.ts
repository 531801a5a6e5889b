import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { configuredReplyDir, detectDialect, fifoFlavour, mustDetect } from "./detect.ts";
import { call } from "./call.ts";
import { mkfifo } from "../transport/fifo.ts";
import { clientCodec } from "../protocol/dialects.ts";
import { NO_PARAMS } from "../protocol/value.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { defaultTransport } from "../transport/open.ts";

test("fifoFlavour() reads a FIFO's flavour from its default name when no reader is seen", () => {
  assert.equal(fifoFlavour("/nonexistent/kamailio_rpc.fifo")?.flavour, "kamailio");
  assert.equal(fifoFlavour("/nonexistent/opensips_fifo")?.flavour, "opensips");
  assert.equal(fifoFlavour("/nonexistent/mi.fifo"), null);
});

test("mustDetect() asks a JSON-RPC FIFO of unknown flavour, and nothing else already known", () => {
  const fifo = { kind: "fifo" as const, path: "/x" };
  assert.equal(mustDetect({ dialect: "auto", address: fifo }), true);
  assert.equal(mustDetect({ dialect: "jsonrpc", address: fifo }), true);
  assert.equal(mustDetect({ dialect: "jsonrpc", flavour: "kamailio", address: fifo }), false);
  assert.equal(mustDetect({ dialect: "mi", address: { kind: "unix", path: "/x" } }), false);
});

test(
  "a FIFO that gives no reply: the timeout says which framing was written and what to try",
  { skip: process.platform === "linux" ? false : "FIFOs as on Linux" },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-fifo-hint-"));
    const path = join(dir, "mi.fifo");
    await mkfifo(path, 0o600);
    // Read by this process, which never answers: no flavour can be known.
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const found = await detectDialect({ kind: "fifo", path }, {
        transport: createMemoryTransport(),
        timeoutMs: 100,
      });
      assert.equal(found.dialect, "jsonrpc");
      assert.equal(found.flavour, undefined, found.how);
      for (const flavour of [undefined, "kamailio"] as const) {
        await assert.rejects(
          // A real FIFO: the runtime's transport (FIFOs are behind the one seam now).
          call({ kind: "fifo", path }, { method: "core.uptime", params: NO_PARAMS }, {
            transport: defaultTransport(),
            codec: clientCodec("jsonrpc", { flavour }),
            flavour,
            timeoutMs: 200,
            replyDir: dir,
          }),
          (error: Error) => {
            assert.match(
              error.message,
              flavour === "kamailio"
                ? /written in Kamailio's framing: .*--flavour opensips/
                : /written in OpenSIPS's framing: .*--flavour kamailio/,
            );
            assert.match(error.message, new RegExp(`reply directory ${dir}\\?.*--reply-dir`));
            return true;
          },
        );
      }
    } finally {
      closeSync(reader);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("configuredReplyDir() reads the reply directory from the server's -f file, the last modparam winning", () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-reply-dir-"));
  try {
    writeFileSync(
      join(dir, "k.cfg"),
      [
        '# modparam("jsonrpcs", "fifo_reply_dir", "/commented/")',
        'modparam("jsonrpcs", "fifo_reply_dir", "/first/")',
        'modparam ( "jsonrpcs" , "fifo_reply_dir" , "/run/kamailio/" )',
        'modparam("mi_fifo", "reply_dir", "/run/opensips/")',
      ].join("\n"),
    );
    assert.equal(configuredReplyDir("kamailio", ["-DD", "-f", "k.cfg"], dir), "/run/kamailio/");
    assert.equal(
      configuredReplyDir("opensips", ["-f", join(dir, "k.cfg")], null),
      "/run/opensips/",
    );
    assert.equal(configuredReplyDir("kamailio", ["-DD"], dir), null, "no -f: unknown");
    assert.equal(configuredReplyDir("kamailio", ["-f", "k.cfg"], null), null, "relative, no cwd");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
