import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger, MAX_LOGGED_CHARS } from "./_logger.ts";

const at = () => new Date("2026-01-01T00:00:00Z");

function lines(format: "text" | "json", log: (l: ReturnType<typeof createLogger>) => void) {
  const out: string[] = [];
  log(createLogger((line) => out.push(line), "debug", format, at));
  return out;
}

test("createLogger() cuts every long value once, with a marker saying how much was cut", () => {
  const name = "x".repeat(10_000);
  const method = "m".repeat(65_536);
  const [line] = lines("text", (l) => l.log("debug", "request", { to: name, method, ms: 1 }));
  assert.ok(line.length < 4 * MAX_LOGGED_CHARS, `a line of ${line.length} characters`);
  assert.match(line, new RegExp(`to="x{${MAX_LOGGED_CHARS}}\\.\\.\\.\\(9700 more characters\\)"`));
  assert.match(line, /method="m{300}\.\.\.\(65236 more characters\)" ms=1\n$/);

  const [json] = lines("json", (l) => l.log("warn", "m".repeat(1000), { to: name, ms: 2 }));
  const parsed = JSON.parse(json);
  assert.equal(parsed.to, "x".repeat(MAX_LOGGED_CHARS) + "...(9700 more characters)");
  assert.equal(parsed.message.length, MAX_LOGGED_CHARS + "...(700 more characters)".length);
  assert.equal(parsed.ms, 2);
});

test("createLogger() leaves short values alone and never cuts a surrogate pair in two", () => {
  const [line] = lines("text", (l) => l.log("info", "listening", { address: "/tmp/a b" }));
  assert.equal(line, '2026-01-01T00:00:00.000Z info listening address="/tmp/a b"\n');
  const emoji = "a".repeat(MAX_LOGGED_CHARS - 1) + "\u{1f600}".repeat(10);
  const [json] = lines("json", (l) => l.log("info", "x", { v: emoji, list: [1, 2] }));
  const parsed = JSON.parse(json);
  assert.equal(parsed.v, "a".repeat(MAX_LOGGED_CHARS - 1) + "...(20 more characters)");
  assert.deepEqual(parsed.list, [1, 2]);
});
