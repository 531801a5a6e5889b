import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseConfig } from "./parse_config.ts";
import { MidgramError } from "../errors.ts";

function fails(text: string, pattern: RegExp) {
  assert.throws(() => parseConfig(text, "/etc/midgram/midgram.toml"), (e: unknown) => {
    assert.ok(e instanceof MidgramError);
    assert.equal(e.code, "config");
    assert.match(e.message, /^Invalid config "\/etc\/midgram\/midgram\.toml" at line \d+/);
    assert.match(e.message, pattern);
    return true;
  });
}

test("parseConfig() loads the example file in the repository", () => {
  const text = readFileSync(new URL("../../midgram.example.toml", import.meta.url), "utf8");
  const config = parseConfig(text, "midgram.example.toml");
  assert.deepEqual(config.server.sockets, ["/run/midgram/midgram.sock", "udp:127.0.0.1:8080"]);
  assert.equal(config.server.mode, 0o660);
  assert.equal(config.server.timeoutMs, 2000);
  assert.equal(config.server.stopTimeoutMs, 10_000);
  assert.equal(config.server.replyIndent, "\t");
  assert.equal(config.server.idleTimeoutMs, 5000);
  assert.equal(config.server.maxConnections, 256);
  assert.equal(config.client.timeoutMs, 5000);
  assert.deepEqual(config.commands.disk_free, {
    exec: ["/bin/df", "-P"],
    timeoutMs: 5000,
    maxOutput: 65000,
    noInput: true,
    help: "shows free disk space",
  });
});

test("parseConfig() names file, line and key for wrong values", () => {
  fails(
    '[server]\nchildren = 4\ntimeout = "5x"\n',
    /at line 3: server\.timeout: cannot parse duration "5x"/,
  );
  fails(
    '[server]\nstop_timeout = "soon"\n',
    /at line 2: server\.stop_timeout: cannot parse duration "soon"/,
  );
  fails(
    '[server]\nsockets = ["sctp:1.2.3.4:5"]\n',
    /at line 2: server\.sockets: Cannot parse address/,
  );
  fails('[server]\nmode = "999"\n', /at line 2: server\.mode/);
  fails(
    '[server]\nlog_level = "loud"\n',
    /server\.log_level: expected one of error, warn, info, debug/,
  );
  fails("[client]\nretries = -1\n", /at line 2: client\.retries/);
  fails('\n[commands.x]\ntimeout = "1s"\n', /at line 2: commands\.x\.exec: missing/);
});

test("parseConfig() suggests the key meant by a typo", () => {
  fails(
    '[server]\n\nsokets = ["/x"]\n',
    /at line 3: server\.sokets: unknown key: did you mean "sockets"\?/,
  );
  fails("[sever]\n", /at line 1: sever: unknown table: did you mean "server"\?/);
});

test("parseConfig() reports TOML syntax errors with line and column", () => {
  fails("[server]\ntimeout = \n", /at line 2:\d+: /);
});

test("parseConfig() reads the ctlfifo dialect and autoconversion", () => {
  const config = parseConfig(
    '[server]\ndialect = "ctlfifo"\nsockets = ["/tmp/kamailio_fifo"]\nautoconversion = true\n[client]\ndialect = "ctlfifo"\n',
    "midgram.toml",
  );
  assert.equal(config.server.dialect, "ctlfifo");
  assert.equal(config.server.autoconversion, true);
  assert.equal(config.client.dialect, "ctlfifo");
  fails('[server]\nautoconversion = "yes"\n', /server\.autoconversion/);
});
