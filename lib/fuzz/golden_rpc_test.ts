import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFuzz } from "../../cli/commands/fuzz.ts";
import { captureIo } from "../../cli/io.ts";

const OPTIONS = { timeout: "2s", probe: "which", indent: "\\t" } as const;

test("midgram fuzz's golden run covers all three dialects through the real server", async () => {
  const io = captureIo();
  assert.equal(await runFuzz(["testdata"], { ...OPTIONS, format: "tap" }, io), 0);
  const kinds = new Set(
    io.out().split("\n").filter((l) => l.startsWith("ok ")).map((l) => l.split(" ")[3]),
  );
  for (const kind of ["parse", "server", "jsonrpc/opensips", "jsonrpc/kamailio", "binrpc"]) {
    assert.ok(kinds.has(kind), `golden cases of ${kind} are played`);
  }
});

test("midgram fuzz --update rewrites JSON-RPC and binrpc expectations, which then pass", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-golden-rpc-"));
  try {
    mkdirSync(join(dir, "kamailio"));
    cpSync("testdata/jsonrpc/kamailio/core_echo.json", join(dir, "kamailio/core_echo.json"));
    writeFileSync(join(dir, "kamailio/core_echo.reply"), "wrong");
    cpSync("testdata/jsonrpc/kamailio/not_json.json", join(dir, "kamailio/not_json.json"));
    writeFileSync(join(dir, "kamailio/not_json.reply"), "a reply where there is none");
    cpSync("testdata/binrpc/server/not_found.req.hex", join(dir, "not_found.req.hex"));
    writeFileSync(join(dir, "not_found.reply.hex"), "a1 00\n");
    const failing = captureIo();
    assert.equal(await runFuzz([dir], { ...OPTIONS, format: "text" }, failing), 1);
    assert.match(failing.err(), /golden: 3 cases, 0 passed, 3 failed/);
    assert.match(failing.out(), /FAIL jsonrpc\/kamailio .*core_echo\.json/);
    const update = captureIo();
    assert.equal(await runFuzz([dir], { ...OPTIONS, format: "text", update: true }, update), 0);
    assert.equal(
      readFileSync(join(dir, "kamailio/core_echo.reply"), "utf8"),
      readFileSync("testdata/jsonrpc/kamailio/core_echo.reply", "utf8"),
    );
    assert.equal(readFileSync(join(dir, "kamailio/not_json.noreply"), "utf8"), "");
    const again = captureIo();
    assert.equal(await runFuzz([dir], { ...OPTIONS, format: "text" }, again), 0);
    assert.match(again.err(), /golden: 3 cases, 3 passed, 0 failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
