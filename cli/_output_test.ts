import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { PassThrough } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./main.ts";
import { captureIo } from "./io.ts";
import { control, renderOutput, Styled } from "./_output.ts";
import { palette } from "./_color.ts";
import { createServer } from "../lib/server/server.ts";
import { MiReplyError } from "../lib/server/mi_reply_error.ts";
import { node } from "../lib/protocol/mi/reply_builders.ts";
import { defaultTransport } from "../lib/transport/open.ts";
import { formatAddress } from "../lib/transport/address.ts";
import { readPacket, writePacket, writeRecords } from "../lib/protocol/binrpc/mod.ts";

/** What a hostile value holds: OSC 52 (write the clipboard), then CSI as one C1 character. */
const EVIL = "a\x1b]52;c;aGk=\x07\u009b8mb";
/** How a terminal gets it. */
const SHOWN = "a\\u001b]52;c;aGk=\\u0007\\u009b8mb";
/** Anything a terminal would obey. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\0-\x08\x0b-\x1f\x7f-\x9f]/;

test("renderOutput() makes control characters visible on a terminal, elsewhere keeps them", () => {
  const bytes = new TextEncoder().encode(EVIL);
  assert.equal(renderOutput(EVIL, true), SHOWN);
  assert.equal(renderOutput(bytes, true), SHOWN);
  assert.equal(renderOutput(EVIL, false), EVIL);
  assert.equal(renderOutput(bytes, false), bytes);
  assert.equal(renderOutput(["x", EVIL], true), `x${SHOWN}`);
});

test("renderOutput() lets midgram's own styling through, never a styled text's controls", () => {
  const red = new Styled(`R${EVIL}`, "\x1b[31m", "\x1b[39m");
  assert.equal(renderOutput([red, ` ${EVIL}\n`], true), `\x1b[31mR${SHOWN}\x1b[39m ${SHOWN}\n`);
  assert.equal(renderOutput([red, ` ${EVIL}\n`], false), `\x1b[31mR${EVIL}\x1b[39m ${EVIL}\n`);
  assert.equal(renderOutput([control("\r\x1b[K")], true), "\r\x1b[K");
  // In a template string a Styled is its text alone: no style, and still made visible.
  assert.equal(renderOutput(`${red}`, true), `R${SHOWN}`);
  const paint = palette("auto", captureIo({ tty: true }), "stdout");
  assert.equal(renderOutput([paint.red("FAIL"), "\n"], true), "\x1b[31mFAIL\x1b[39m\n");
  const off = palette("auto", captureIo({ tty: true, env: { NO_COLOR: "1" } }), "stdout");
  assert.equal(renderOutput([off.red("FAIL"), "\n"], true), "FAIL\n");
});

test("captureIo() judges stdout and stderr each on its own", () => {
  const out = captureIo({ stdoutIsTTY: true });
  out.stdout(EVIL);
  out.stderr(EVIL);
  assert.equal(out.out(), SHOWN);
  assert.equal(out.err(), EVIL);
  const err = captureIo({ stderrIsTTY: true });
  err.stdout(new TextEncoder().encode(EVIL));
  err.stderr(EVIL);
  assert.equal(err.out(), EVIL);
  assert.equal(err.err(), SHOWN);
});

/** A stand-in server whose data, errors and version carry {@linkcode EVIL}, on MI, binrpc and JSON-RPC. */
async function withHostileServer(
  fn: (s: { mi: string; binrpc: string; jsonrpc: string }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "midgram-escape-"));
  const server = createServer({ transport: defaultTransport(), version: `v${EVIL}` });
  server.registerMi("evil", () => [node("v", EVIL)]);
  server.registerMi("fail", () => {
    throw new MiReplyError(500, `no ${EVIL}`);
  });
  try {
    const mi = `mi=${formatAddress(await server.listen(join(dir, "mi.sock")))}`;
    const binrpc = `binrpc=${
      formatAddress(await server.listen(`unixs:${join(dir, "ctl.sock")}`, { dialect: "binrpc" }))
    }`;
    const jsonrpc = `jsonrpc=${
      formatAddress(await server.listen(join(dir, "j.sock"), { dialect: "jsonrpc" }))
    }`;
    await fn({ mi, binrpc, jsonrpc });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the CLI once on terminals and once in pipes; checks that the pipe got
 * `expected` byte for byte and the terminal the same with {@linkcode EVIL}
 * shown as {@linkcode SHOWN}.
 */
async function onTerminalAndInPipe(
  argv: string[],
  expected: { code: number; out: string; err?: string },
  stdin?: string,
): Promise<void> {
  const env = { MIDGRAM_CONFIG: "/dev/null" };
  const pipe = captureIo({ env, stdin });
  assert.equal(await cli(argv, pipe), expected.code, `${argv.join(" ")}: ${pipe.err()}`);
  assert.equal(pipe.out(), expected.out, argv.join(" "));
  assert.deepEqual(pipe.outBytes(), new TextEncoder().encode(expected.out), argv.join(" "));
  if (expected.err !== undefined) assert.equal(pipe.err(), expected.err, argv.join(" "));
  const tty = captureIo({ env, stdin, stdoutIsTTY: true, stderrIsTTY: true });
  assert.equal(await cli(argv, tty), expected.code, argv.join(" "));
  assert.equal(tty.out(), expected.out.replaceAll(EVIL, SHOWN), argv.join(" "));
  if (expected.err !== undefined) {
    assert.equal(tty.err(), expected.err.replaceAll(EVIL, SHOWN), argv.join(" "));
  }
  assert.doesNotMatch(tty.out() + tty.err(), CONTROL, argv.join(" "));
}

/** How `send` labels the reply of a server given as `DIALECT=ADDRESS`. */
const label = (socket: string) => socket.replace(/^\w+=/, "");

test("send shows a server's control characters on a terminal in every output mode, keeps them in a pipe", async () => {
  await withHostileServer(async ({ mi, binrpc, jsonrpc }) => {
    const reply = `200 OK\nv:: ${EVIL}\n\n`;
    await onTerminalAndInPipe(["send", "-s", mi, "evil"], { code: 0, out: reply, err: "" });
    await onTerminalAndInPipe(["send", "-s", mi, "--raw", "evil"], { code: 0, out: reply });
    await onTerminalAndInPipe(["send", "-s", mi, "--value", "v", "evil"], {
      code: 0,
      out: `${EVIL}\n`,
    });
    // JSON escapes C0 itself; DEL and C1 are escaped the way JSON would, so it stays JSON.
    const json = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" }, tty: true });
    assert.equal(await cli(["send", "-s", mi, "--json", "evil"], json), 0);
    assert.doesNotMatch(json.out(), CONTROL);
    assert.equal(JSON.parse(json.out()).nodes[0].value, EVIL);
    // binrpc string values: the default (kamcmd's) output and --format.
    await onTerminalAndInPipe(["send", "-s", binrpc, "core.echo", EVIL], {
      code: 0,
      out: `${EVIL}\n`,
    });
    await onTerminalAndInPipe(["send", "-s", binrpc, "--format", "<%v>\\n", "core.echo", EVIL], {
      code: 0,
      out: `<${EVIL}>\n`,
    });
    await onTerminalAndInPipe(["send", "-s", binrpc, "evil"], {
      code: 0,
      out: `{\n\tv: ${EVIL}\n}\n`,
    });
    await onTerminalAndInPipe(["send", "-s", jsonrpc, "--value", "v", "evil"], {
      code: 0,
      out: `${EVIL}\n`,
    });
    // A batch, and several servers at once.
    await onTerminalAndInPipe(["send", "-s", mi, "--batch", "-"], {
      code: 0,
      out: `==> 1: evil (exit 0) <==\n${reply}`,
    }, "evil\n");
    await onTerminalAndInPipe(["send", "-s", mi, "-s", jsonrpc, "--value", "v", "evil"], {
      code: 0,
      out: `${label(mi)}: ${EVIL}\n${label(jsonrpc)}: ${EVIL}\n`,
    });
    await onTerminalAndInPipe(["send", "-s", mi, "-s", binrpc, "evil"], {
      code: 0,
      out: `==> ${label(mi)} <==\n${reply}==> ${label(binrpc)} <==\n{\n\tv: ${EVIL}\n}\n`,
    });
    // An error reason: the reply on stdout, and inside the message on stderr.
    const fail = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" }, tty: true });
    assert.equal(await cli(["send", "-s", mi, "fail"], fail), 1);
    assert.equal(fail.out(), `500 no ${SHOWN}\n\n`);
    assert.doesNotMatch(fail.out() + fail.err(), CONTROL);
  });
});

test("send shows a JSON-RPC server's raw-text error on a terminal, on stdout and in the message", async () => {
  const peer = createSocket("udp4");
  peer.on("message", (_m, from) => peer.send(`400 ${EVIL}\n`, from.port, from.address));
  await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
  try {
    const socket = `jsonrpc=udp:127.0.0.1:${peer.address().port}`;
    const tty = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" }, tty: true });
    assert.equal(await cli(["send", "-s", socket, "core.version"], tty), 1);
    assert.equal(tty.out(), `400 ${SHOWN}\n`);
    assert.match(tty.err(), /answered error 400: a\\u001b\]52;c;aGk=\\u0007\\u009b8mb\n$/);
    // Only stderr on a terminal: stdout keeps the bytes.
    const split = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" }, stderrIsTTY: true });
    assert.equal(await cli(["send", "-s", socket, "core.version"], split), 1);
    assert.equal(split.out(), `400 ${EVIL}\n`);
    assert.match(split.err(), /answered error 400: a\\u001b\]52;c;aGk=\\u0007\\u009b8mb\n$/);
    const pipe = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(await cli(["send", "-s", socket, "core.version"], pipe), 1);
    assert.equal(pipe.out(), `400 ${EVIL}\n`);
    assert.ok(pipe.err().endsWith(`answered error 400: ${EVIL}\n`), pipe.err());
  } finally {
    await new Promise<void>((resolve) => peer.close(resolve));
  }
});

/** kamcmd's banner, as this build prints it. */
async function banner(socket: string): Promise<string> {
  const io = captureIo();
  await cli(["kamcmd", "-s", socket], io);
  return io.out();
}

test("kamcmd shows a server's control characters on a terminal and is byte-identical in a pipe", async () => {
  await withHostileServer(async ({ binrpc }) => {
    const socket = binrpc.replace(/^binrpc=unixs:/, "");
    await onTerminalAndInPipe(["kamcmd", "-s", socket, "core.echo", EVIL], {
      code: 0,
      out: `${EVIL}\n`,
      err: "",
    });
    await onTerminalAndInPipe(["kamcmd", "-s", socket, "-f", "[%v]", "core.echo", EVIL, "x"], {
      code: 0,
      out: `[${EVIL}][x]`,
    });
    // Interactive with the lines on stdin: kamcmd's echo of each line, then the reply.
    const line = `core.echo ${EVIL}`;
    await onTerminalAndInPipe(["kamcmd", "-s", socket], {
      code: 0,
      out: `kamcmd 1.5\n${/^kamcmd 1\.5\n([^]*?)kamcmd> /.exec(await banner(socket))![1]}` +
        `kamcmd> ${line}\n${EVIL}\nkamcmd> `,
    }, `${line}\n`);
  });
});

/**
 * Runs a prompt (`send` or `kamcmd` with no command) on a stand-in
 * terminal, types `keys` (one chunk each), waits for `expected` on stdout (or the screen),
 * then ends the input. Resolves what was written to each.
 */
async function atPrompt(
  argv: string[],
  keys: string[],
  expected: string,
): Promise<{ out: string; err: string; screen: string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = "";
  output.on("data", (c) => (screen += c));
  const dir = mkdtempSync(join(tmpdir(), "midgram-escape-home-"));
  const io = {
    ...captureIo({ env: { HOME: dir, MIDGRAM_CONFIG: "/dev/null" }, tty: true }),
    terminal: { input, output },
  };
  try {
    const running = cli(argv, io);
    for (let i = 0; i < 500 && !screen.includes("> "); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    // Each its own chunk, as typed (readline completes only on a chunk's last TAB).
    for (const key of keys) input.write(key);
    for (let i = 0; i < 500 && !(io.out() + screen).includes(expected); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    input.end();
    assert.equal(await running, 0);
    return { out: io.out(), err: io.err(), screen };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the prompts of send and kamcmd show a server's control characters", async () => {
  await withHostileServer(async ({ mi, binrpc }) => {
    const send = await atPrompt(["send", "-s", mi], ["evil\r"], `v:: ${SHOWN}\n`);
    assert.ok(send.out.includes(`200 OK\nv:: ${SHOWN}\n\n`), send.out);
    assert.doesNotMatch(send.out + send.err, CONTROL);
    const socket = binrpc.replace(/^binrpc=unixs:/, "");
    const kamcmd = await atPrompt(["kamcmd", "-s", socket], ["core.version\r"], `v${SHOWN}\n`);
    assert.ok(kamcmd.out.endsWith(`v${SHOWN}\n`), kamcmd.out);
    assert.doesNotMatch(kamcmd.out + kamcmd.err, CONTROL);
  });
});

test("the prompts of send and kamcmd never complete a method name that holds a control character", async () => {
  // A name that extends one the user may complete to.
  const name = "version\x1b]0;pwned\x07";
  // Stand-ins that answer every request with the method list: MI's `which`, binrpc's system.listMethods.
  const mi = createSocket("udp4");
  mi.on("message", (_m, from) => mi.send(`200 OK\nversion\n${name}\n\n`, from.port, from.address));
  const binrpc = createSocket("udp4");
  binrpc.on("message", (m, from) => {
    const { cookie } = readPacket(m);
    const body = writeRecords(["version", name]);
    binrpc.send(writePacket({ type: "reply", cookie, body }), from.port, from.address);
  });
  await Promise.all(
    [mi, binrpc].map((s) => new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve))),
  );
  try {
    // TAB TAB completes, or lists every match on the screen; the line is then sent, and its
    // reply (the same list) waited for.
    for (
      const argv of [
        ["send", "-s", `mi=udp:127.0.0.1:${mi.address().port}`],
        ["kamcmd", "-s", `udp:127.0.0.1:${binrpc.address().port}`],
      ]
    ) {
      const r = await atPrompt(argv, ["vers\t", "\t", "\r"], "pwned");
      assert.match(r.out, /version\\u001b\]0;pwned\\u0007/);
      assert.match(r.screen, /version/);
      assert.doesNotMatch(r.screen, /pwned/);
    }
  } finally {
    await Promise.all(
      [mi, binrpc].map((s) => new Promise<void>((resolve) => s.close(resolve))),
    );
  }
});

test("doctor and the exporter show a server's control characters on a terminal", async () => {
  await withHostileServer(async ({ mi }) => {
    const tty = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" }, tty: true });
    assert.equal(await cli(["doctor", "-s", mi], tty), 0);
    assert.ok(tty.out().includes(`: v${SHOWN}\n`), tty.out());
    // Its own colours stay.
    assert.ok(tty.out().startsWith("\x1b[32mok  \x1b[39m "), tty.out());
    const uncoloured = tty.out().replaceAll("\x1b[32m", "").replaceAll("\x1b[39m", "");
    assert.doesNotMatch(uncoloured + tty.err(), CONTROL);
    const pipe = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
    assert.equal(await cli(["doctor", "-s", mi], pipe), 0);
    assert.ok(pipe.out().includes(`: v${EVIL}\n`), pipe.out());
  });
  const peer = createSocket("udp4");
  peer.on("message", (_m, from) => peer.send(`400 ${EVIL}\n`, from.port, from.address));
  await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" }, tty: true });
  try {
    const running = cli([
      "exporter",
      "--listen",
      "127.0.0.1:0",
      "-s",
      `jsonrpc=udp:127.0.0.1:${peer.address().port}`,
    ], io);
    for (let i = 0; i < 500 && !/listening on (\S+)/.test(io.out()); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const url = /listening on (\S+)/.exec(io.out())?.[1];
    assert.ok(url, io.err());
    await (await fetch(url)).text();
    for (let i = 0; i < 500 && !io.err().includes("answered 400"); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    io.abort();
    await running;
    assert.ok(io.err().includes(`answered 400 ${SHOWN}`), io.err());
    assert.doesNotMatch(io.err(), CONTROL);
  } finally {
    io.abort();
    await new Promise<void>((resolve) => peer.close(resolve));
  }
});

test("fuzz --diff shows the differing replies' control characters on a terminal", async () => {
  const hostile = createSocket("udp4");
  hostile.on("message", (_m, from) => hostile.send(`200 OK\n${EVIL}\n\n`, from.port, from.address));
  const plain = createSocket("udp4");
  plain.on("message", (_m, from) => plain.send("200 OK\nplain\n\n", from.port, from.address));
  await Promise.all(
    [hostile, plain].map((s) => new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve))),
  );
  try {
    const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" }, tty: true });
    const code = await cli([
      "fuzz",
      "--dialect",
      "mi",
      "--target",
      `udp:127.0.0.1:${hostile.address().port}`,
      "--diff",
      `udp:127.0.0.1:${plain.address().port}`,
      "--generate",
      "2",
      "--seed",
      "1",
    ], io);
    assert.equal(code, 1, io.err());
    assert.match(io.out(), /differs/);
    assert.ok(io.out().includes("\\u009b8mb"), io.out());
    assert.doesNotMatch(io.out() + io.err(), CONTROL);
  } finally {
    await Promise.all(
      [hostile, plain].map((s) => new Promise<void>((resolve) => s.close(resolve))),
    );
  }
});
