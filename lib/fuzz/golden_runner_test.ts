import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectedParseResult, resultJson } from "../golden/parse_cases.ts";
import {
  diskGoldenFiles,
  isJsonRpcCase,
  memoryGoldenFiles,
  runGolden,
  saveParseCase,
  saveRpcCase,
} from "./golden_runner.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

const ECHO = '{"jsonrpc":"2.0","method":"core.echo","params":["a","b"],"id":1}';
const ECHO_REPLY = '{\n\t"jsonrpc":\t"2.0",\n\t"result":\t["a", "b"],\n\t"id":\t1\n}';
// binrpc: core.version, cookie 0x12345678; and Kamailio's reply to it.
const VERSION_HEX = "a1 03 0d 12 34 56 78\n c1 63 6f 72 65 2e 76 65 72 73 69 6f 6e 00\n";

/** One passing case of every kind, as a fresh set of files. */
function passingCases(): Map<string, Uint8Array> {
  return new Map([
    ["c/parse/v.mi", enc(":version:\n")],
    ["c/parse/v.json", enc(resultJson(expectedParseResult(enc(":version:\n"))))],
    ["c/server/pwd.mi", enc(":pwd:\n")],
    ["c/server/pwd.reply", enc("200 OK\nWD:: /srv\n\n")],
    ["c/kamailio/echo.json", enc(ECHO)],
    ["c/kamailio/echo.reply", enc(ECHO_REPLY)],
    ["c/opensips/empty.json", enc("")],
    ["c/opensips/empty.noreply", enc("")],
  ]);
}

test("runGolden() plays a case of every kind and passes it", async () => {
  const map = passingCases();
  const results = await runGolden([...map.keys()], { files: memoryGoldenFiles(map) });
  assert.deepEqual(
    results.map((r) => [r.path, r.kind, r.ok, r.diff]),
    [
      ["c/parse/v.mi", "parse", true, ""],
      ["c/server/pwd.mi", "server", true, ""],
      ["c/kamailio/echo.json", "jsonrpc/kamailio", true, ""],
      ["c/opensips/empty.json", "jsonrpc/opensips", true, ""],
    ],
  );
});

test("runGolden() passes over files that are no case, and keeps only those the filter names", async () => {
  const map = passingCases();
  const files = memoryGoldenFiles(map);
  // A parse case's .json is its expectation, not a JSON-RPC case.
  assert.equal(isJsonRpcCase("c/parse/v.json", files), false);
  const all = await runGolden(["-", "c/server/pwd.reply", ...map.keys()], { files });
  assert.equal(all.length, 4);
  const only = await runGolden([...map.keys()], { files, filter: "kamailio" });
  assert.deepEqual(only.map((r) => r.path), ["c/kamailio/echo.json"]);
});

test("runGolden() shows a differing reply as a line diff, and fails the case", async () => {
  const map = passingCases();
  map.set("c/server/pwd.reply", enc("200 OK\nWD:: /elsewhere\n\n"));
  const [result] = await runGolden(["c/server/pwd.mi"], { files: memoryGoldenFiles(map) });
  assert.equal(result.ok, false);
  assert.equal(result.diff, "  200 OK␊\n- WD:: /elsewhere␊\n+ WD:: /srv␊\n  ␊\n");
});

test("runGolden() names the missing expectation of each kind", async () => {
  const map = new Map([
    ["m/parse/a.mi", enc(":ps:\n")],
    ["m/parse/empty.mi", enc(":ps:\n")],
    ["m/parse/empty.json", enc("")],
    ["m/server/b.mi", enc(":uptime:\n")],
    ["m/kamailio/c.json", enc(ECHO)],
    ["m/d.req.hex", enc(VERSION_HEX)],
  ]);
  const results = await runGolden([...map.keys()], { files: memoryGoldenFiles(map) });
  assert.deepEqual(results.map((r) => [r.kind, r.ok, r.diff]), [
    ["parse", false, "missing m/parse/a.json"],
    ["parse", false, "missing m/parse/empty.json"],
    ["server", false, "missing m/server/b.reply"],
    ["jsonrpc/kamailio", false, "missing m/kamailio/c.reply or m/kamailio/c.noreply"],
    ["binrpc", false, "missing m/d.reply.hex"],
  ]);
});

test("runGolden() with update writes every expectation, swaps .reply and .noreply, then passes", async () => {
  const map = new Map([
    ["u/parse/a.mi", enc(":ps:\n")],
    ["u/server/b.mi", enc(":pwd:\n")],
    ["u/server/b.reply", enc("wrong")],
    ["u/kamailio/echo.json", enc(ECHO)],
    ["u/kamailio/echo.noreply", enc("")],
    ["u/kamailio/none.json", enc("")],
    ["u/kamailio/none.reply", enc("a reply where there is none")],
    ["u/d.req.hex", enc(VERSION_HEX)],
  ]);
  const files = memoryGoldenFiles(map);
  const paths = [...map.keys()];
  const updated = await runGolden(paths, { files, update: true });
  assert.ok(updated.every((r) => r.ok), "an update passes every case");
  assert.equal(text(map.get("u/parse/a.json")), resultJson(expectedParseResult(enc(":ps:\n"))));
  assert.equal(text(map.get("u/server/b.reply")), "200 OK\nWD:: /srv\n\n");
  assert.equal(text(map.get("u/kamailio/echo.reply")), ECHO_REPLY);
  assert.equal(map.has("u/kamailio/echo.noreply"), false);
  assert.equal(text(map.get("u/kamailio/none.noreply")), "");
  assert.equal(map.has("u/kamailio/none.reply"), false);
  assert.match(text(map.get("u/d.reply.hex")), /^a1 /);
  const again = await runGolden([...map.keys()], { files });
  assert.deepEqual(again.map((r) => r.ok), [true, true, true, true, true]);
});

test("runGolden() with update leaves a passing expectation as it is written", async () => {
  const json = JSON.stringify(expectedParseResult(enc(":ps:\n"))); // one line, not the stored layout
  const map = new Map([["p/a.mi", enc(":ps:\n")], ["p/a.json", enc(json)]]);
  const [result] = await runGolden(["p/a.mi"], { files: memoryGoldenFiles(map), update: true });
  assert.equal(result.ok, true);
  assert.equal(text(map.get("p/a.json")), json);
});

test("saveParseCase() and saveRpcCase() keep cases that the runner then passes", async () => {
  const map = new Map<string, Uint8Array>();
  const files = memoryGoldenFiles(map);
  const kept = [
    saveParseCase("found", "p", enc(':ps "a\n'), files),
    await saveRpcCase("found", "j", { dialect: "jsonrpc", flavour: "opensips" }, enc("{"), files),
    await saveRpcCase("found", "b", { dialect: "binrpc" }, enc("\xa1\x03"), files),
  ];
  assert.deepEqual(kept, ["found/p.mi", "found/opensips/j.json", "found/b.req.hex"]);
  assert.deepEqual([...map.keys()].sort(), [
    "found/b.reply.hex",
    "found/b.req.hex",
    "found/opensips/j.json",
    "found/opensips/j.reply",
    "found/p.json",
    "found/p.mi",
  ]);
  const results = await runGolden([...map.keys()], { files });
  assert.deepEqual(results.map((r) => [r.path, r.ok]), [
    ["found/p.mi", true],
    ["found/opensips/j.json", true],
    ["found/b.req.hex", true],
  ]);
});

test("diskGoldenFiles writes into folders it creates, and the runner reads them back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-golden-runner-"));
  try {
    const path = await saveRpcCase(
      join(dir, "new"),
      "echo",
      { dialect: "jsonrpc", flavour: "kamailio" },
      enc(ECHO),
    );
    assert.equal(path, join(dir, "new", "kamailio", "echo.json"));
    assert.equal(readFileSync(join(dir, "new", "kamailio", "echo.reply"), "utf8"), ECHO_REPLY);
    assert.ok(existsSync(path));
    const [result] = await runGolden([path], { files: diskGoldenFiles });
    assert.deepEqual(result, { path, ok: true, kind: "jsonrpc/kamailio", diff: "" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
