import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";

function tree(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), "midgram-parse-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

test("parse exits 0 and prints only a summary for valid files", async () => {
  const dir = tree({ "a.mi": ":version:\n", "sub/b.mi": ":get_statistics:\ndialog:\ntm:\n" });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", dir], io), 0);
    assert.equal(io.out(), "");
    assert.match(io.err(), /^ok: 2 files checked, 0 invalid, 0 errors, 0 warnings\n$/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse reports path:line:col for an invalid file and exits 1", async () => {
  const dir = tree({ "bad.mi": ':set:\nna"me::value\n', "good.mi": ":version:\n" });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", dir], io), 1);
    const lines = io.out().trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0], new RegExp(`^${join(dir, "bad.mi")}:2:3: error [a-z-]+: `));
    assert.match(io.err(), /^failed: 2 files checked, 1 invalid, 1 error/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse walks only files with the chosen endings", async () => {
  const dir = tree({ "a.mi": ":version:\n", "b.txt": "not a request", "c.req": ':x:\nbad"\n' });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", dir], io), 0);
    assert.match(io.err(), /1 file checked/);
    const io2 = captureIo();
    assert.equal(await cli(["parse", "--ext", "req", "--ext", "mi", dir], io2), 1);
    assert.match(io2.err(), /2 files checked, 1 invalid/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse --format json prints the documented shape", async () => {
  const dir = tree({ "a.mi": ":get_statistics:\ndialog:\nname::\n", "b.mi": "version\n" });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", "--format", "json", dir], io), 1);
    const reports = JSON.parse(io.out());
    assert.equal(reports.length, 2);
    assert.deepEqual(reports[0], {
      path: join(dir, "a.mi"),
      valid: true,
      dialect: "mi",
      request: {
        command: "get_statistics",
        args: [{ name: null, value: "dialog:" }, { name: "name", value: "" }],
      },
      errors: [],
      warnings: [],
    });
    assert.equal(reports[1].valid, false);
    assert.equal(reports[1].request, undefined);
    const [error] = reports[1].errors;
    assert.deepEqual(Object.keys(error).sort(), ["code", "column", "line", "message", "offset"]);
    assert.equal(error.line, 1);
    assert.equal(error.column, 1);
    assert.equal(error.offset, 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse reads stdin for -", async () => {
  const io = captureIo({ stdin: ":uptime:\n" });
  assert.equal(await cli(["parse", "-"], io), 0);
  const bad = captureIo({ stdin: ":uptime:\r\n" });
  assert.equal(await cli(["parse", "-"], bad), 1);
  assert.match(bad.out(), /^<stdin>:1:\d+: error /);
});

test("parse --strict rejects what only the real parser tolerates", async () => {
  const request = ":get_statistics:\n\n  dialog:\n";
  const compat = captureIo({ stdin: request });
  assert.equal(await cli(["parse", "-"], compat), 0);
  assert.match(compat.out(), /warning/);
  const strict = captureIo({ stdin: request });
  assert.equal(await cli(["parse", "--strict", "-"], strict), 1);
  assert.match(strict.out(), /error/);
});

test("parse applies the warning policy", async () => {
  const request = ":get_statistics:\r\n";
  const warned = ":get_statistics:\ndialog: \n";
  assert.equal(await cli(["parse", "-"], captureIo({ stdin: warned })), 0);
  assert.equal(await cli(["parse", "--warnings-as-errors", "-"], captureIo({ stdin: warned })), 1);
  assert.equal(await cli(["parse", "--max-warnings", "0", "-"], captureIo({ stdin: warned })), 1);
  assert.equal(await cli(["parse", "--max-warnings", "5", "-"], captureIo({ stdin: warned })), 0);
  assert.equal(await cli(["parse", "-"], captureIo({ stdin: request })), 1);
});

test("parse --format github prints workflow commands", async () => {
  const io = captureIo({ stdin: ':x:\nna"me::v\n' });
  assert.equal(await cli(["parse", "--format", "github", "-"], io), 1);
  assert.match(io.out(), /^::error file=<stdin>,line=2,col=3,title=[a-z-]+::.+\n$/);
});

test("parse --print shows the parsed request", async () => {
  const io = captureIo({ stdin: ':cache_store:\nkey::"a b"\nvalue\n' });
  assert.equal(await cli(["parse", "--print", "-"], io), 0);
  assert.equal(
    io.out(),
    '<stdin>: "cache_store"\n  1. name "key" value "a b"\n  2. value "value"\n',
  );
});

test("parse exits 2 naming an unreadable path or an unknown option", async () => {
  const io = captureIo();
  assert.equal(await cli(["parse", "/nonexistent/x.mi"], io), 2);
  assert.match(io.err(), /Cannot read "\/nonexistent\/x.mi": no such file or directory/);
  const typo = captureIo();
  assert.equal(await cli(["parse", "--strikt", "-"], typo), 2);
  assert.match(typo.err(), /--strict/);
  assert.equal(typo.out(), "");
});

test("parse --ext takes one value per flag and never swallows the path after it", async () => {
  const dir = tree({ "a.txt": ":version:\n", "b.mi": ':x:\nbad"\n' });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", "--ext", ".txt", dir], io), 0);
    assert.match(io.err(), /^ok: 1 file checked/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse refuses --max-warnings with --warnings-as-errors with exit 2", async () => {
  const dir = tree({ "a.mi": ":version:\n" });
  try {
    for (
      const args of [
        ["--max-warnings", "0", "--warnings-as-errors"],
        ["--warnings-as-errors", "--max-warnings", "3"],
      ]
    ) {
      const io = captureIo();
      assert.equal(await cli(["parse", ...args, dir], io), 2);
      assert.match(io.err(), /cannot be used with/);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse of a folder with no request files says nothing was checked and exits 1", async () => {
  const dir = tree({ "notes.txt": "x" });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", dir], io), 1);
    assert.equal(
      io.err(),
      `failed: no files checked: no *.mi, *.json or *.ctlfifo files in "${dir}"\n`,
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("send -f DIR says that the path is a directory", async () => {
  const dir = tree({ "a.mi": ":version:\n" });
  try {
    const io = captureIo();
    assert.equal(await cli(["send", "-s", join(dir, "none.sock"), "-f", dir], io), 2);
    assert.equal(io.err(), `midgram: Cannot read "${dir}": is a directory\n`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse checks *.json files as JSON-RPC requests, with file:line:col for each error", async () => {
  const dir = tree({
    "ok.json": '{"jsonrpc":"2.0","method":"version","id":1}',
    "method.json": '{"jsonrpc":"2.0",\n "method":5,"id":1}',
    "cut.json": '{"jsonrpc":"2.0",\n  "method":"version",\n  "id":1',
    "version.json": '{"jsonrpc":"1.0","method":"version","id":1}',
    "a.mi": ":version:\n",
  });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", dir], io), 1);
    assert.deepEqual(io.out().trim().split("\n"), [
      `${
        join(dir, "cut.json")
      }:3:9: error parse-error: Cannot parse request: expected ',' or '}' but found end of input (the reply is '400 Parse_error')`,
      `${join(dir, "method.json")}:2:11: error invalid-method: 'method' must be a string`,
      `${
        join(dir, "version.json")
      }:1:12: error invalid-jsonrpc: 'jsonrpc' must be "2.0", not "1.0"`,
    ]);
    assert.match(io.err(), /^failed: 5 files checked, 3 invalid, 3 errors, 0 warnings\n$/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse warns of JSON-RPC notifications and batches, in the github format too", async () => {
  const dir = tree({
    "note.json": '{"jsonrpc":"2.0","method":"version"}',
    "batch.json": '[{"jsonrpc":"2.0","method":"version","id":1}]',
  });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", "--flavour", "kamailio", "--format", "github", dir], io), 0);
    assert.deepEqual(io.out().trim().split("\n"), [
      `::warning file=${
        join(dir, "batch.json")
      },line=1,col=1,title=batch::Batch requests are not supported: the reply is an empty result and nothing runs`,
      `::warning file=${
        join(dir, "note.json")
      },line=1,col=1,title=notification::No 'id': Kamailio answers without an id`,
    ]);
    assert.match(io.err(), /^ok: 2 files checked, 0 invalid, 0 errors, 2 warnings\n$/);
    const strict = captureIo();
    assert.equal(await cli(["parse", "--warnings-as-errors", join(dir, "note.json")], strict), 1);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("parse --dialect jsonrpc reads stdin as JSON-RPC; --format json names the dialect and the call", async () => {
  const io = captureIo({
    stdin: '{"jsonrpc":"2.0","method":"cache_fetch","params":["a","b"],"id":7}',
  });
  assert.equal(await cli(["parse", "--dialect", "jsonrpc", "--format", "json", "-"], io), 0);
  const [report] = JSON.parse(io.out());
  assert.equal(report.dialect, "jsonrpc");
  assert.equal(report.call.method, "cache_fetch");
  assert.equal(report.call.id, 7);
});

test("parse skips the .json expectation beside a golden .mi case when walking", async () => {
  const dir = tree({ "a.mi": ":version:\n", "a.json": '{"valid": true}' });
  try {
    const io = captureIo();
    assert.equal(await cli(["parse", dir], io), 0);
    assert.match(io.err(), /1 file checked/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
