import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFuzz } from "./fuzz.ts";
import { captureIo } from "../io.ts";

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

test("midgram fuzz --format json and tap report every case, failed ones with their diff", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-golden-formats-"));
  try {
    mkdirSync(join(dir, "server"));
    writeFileSync(join(dir, "server/pwd.mi"), ":pwd:\n");
    writeFileSync(join(dir, "server/pwd.reply"), "200 OK\nWD:: /srv\n\n");
    writeFileSync(join(dir, "server/uptime.mi"), ":uptime:\n");
    const json = captureIo();
    assert.equal(await runFuzz([dir], { ...OPTIONS, format: "json" }, json), 1);
    assert.deepEqual(JSON.parse(json.out()), {
      cases: 2,
      failed: 1,
      results: [
        { path: join(dir, "server/pwd.mi"), ok: true, kind: "server", diff: "" },
        {
          path: join(dir, "server/uptime.mi"),
          ok: false,
          kind: "server",
          diff: `missing ${join(dir, "server/uptime.reply")}`,
        },
      ],
    });
    assert.equal(json.err(), "golden: 2 cases, 1 passed, 1 failed\n");
    const tap = captureIo();
    assert.equal(await runFuzz([dir], { ...OPTIONS, format: "tap" }, tap), 1);
    assert.equal(
      tap.out(),
      `TAP version 13\n1..2\nok 1 - server ${join(dir, "server/pwd.mi")}\n` +
        `not ok 2 - server ${join(dir, "server/uptime.mi")}\n` +
        `# missing ${join(dir, "server/uptime.reply")}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("midgram fuzz - finds no golden case on standard input: exit 1 with the reason", async () => {
  const io = captureIo({ stdin: ":version:\n" });
  assert.equal(await runFuzz(["-"], { ...OPTIONS, format: "text" }, io), 1);
  assert.equal(
    io.err(),
    "golden: 0 cases, 0 passed, 0 failed\n" +
      "midgram: no golden cases (*.mi, *.json, *.req.hex) found in -\n",
  );
});
