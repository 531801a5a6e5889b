import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { kamcmdCommand } from "./kamcmd.ts";
import { getopt } from "./_kamcmd_getopt.ts";
import { parseKamcmdAddress } from "./_kamcmd_address.ts";
import { kamcmdHexdump } from "./_kamcmd_texts.ts";
import { createServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import type { Address } from "../../lib/transport/types.ts";
import { until } from "../../lib/transport/testing/wait.ts";

const OPTS = "UVhs:D:R:vf:";

test("getopt() clusters options and takes an argument from the same word or the next", () => {
  const r = getopt(["-vvsudp:h:1", "-f", "%v", "-R/tmp/r", "m", "a"], OPTS);
  assert.deepEqual(r.events, [
    { kind: "option", option: "v" },
    { kind: "option", option: "v" },
    { kind: "option", option: "s", argument: "udp:h:1" },
    { kind: "option", option: "f", argument: "%v" },
    { kind: "option", option: "R", argument: "/tmp/r" },
  ]);
  assert.deepEqual(r.operands, ["m", "a"]);
});

test("getopt() permutes like glibc unless POSIXLY_CORRECT, and stops at --", () => {
  assert.deepEqual(getopt(["core.echo", "-5"], OPTS).events, [{ kind: "unknown", option: "5" }]);
  assert.deepEqual(getopt(["core.echo", "-v", "x"], OPTS), {
    events: [{ kind: "option", option: "v" }],
    operands: ["core.echo", "x"],
  });
  assert.deepEqual(getopt(["-v", "--", "core.echo", "-5"], OPTS).operands, ["core.echo", "-5"]);
  assert.deepEqual(getopt(["core.echo", "-5"], OPTS, { posixlyCorrect: true }), {
    events: [],
    operands: ["core.echo", "-5"],
  });
  assert.deepEqual(getopt(["-", "x"], OPTS).operands, ["-", "x"]);
});

test("getopt() reports an option missing its argument as unknown, as kamcmd's opterr=0 does", () => {
  assert.deepEqual(getopt(["-v", "-s"], OPTS).events.at(-1), { kind: "unknown", option: "s" });
  assert.deepEqual(getopt(["--help"], OPTS).events, [{ kind: "unknown", option: "-" }]);
});

test("parseKamcmdAddress() reads addresses as kamcmd's parse_listen_id()", () => {
  assert.deepEqual(parseKamcmdAddress("/run/k.sock"), {
    proto: "unixs",
    name: "/run/k.sock",
    port: 0,
  });
  assert.deepEqual(parseKamcmdAddress("localhost"), { proto: "unixs", name: "localhost", port: 0 });
  assert.deepEqual(parseKamcmdAddress("localhost", "udp"), {
    proto: "udp",
    name: "localhost",
    port: 0,
  });
  assert.deepEqual(parseKamcmdAddress("UNIXD:/x"), { proto: "unixd", name: "/x", port: 0 });
  assert.deepEqual(parseKamcmdAddress("127.0.0.1:2046"), {
    proto: "udp",
    name: "127.0.0.1",
    port: 2046,
  });
  assert.deepEqual(parseKamcmdAddress("tcp:3012"), { proto: "tcp", name: "*", port: 3012 });
  assert.deepEqual(parseKamcmdAddress("udp:h:99999"), { proto: "udp", name: "h", port: 34463 });
  assert.equal(parseKamcmdAddress("udp:[::1]:2046"), null);
  assert.equal(parseKamcmdAddress("bogus:x:y"), null);
  assert.equal(parseKamcmdAddress("udp:h:123456"), null);
});

test("kamcmdHexdump() prints 16 bytes a line and drops the text of a last full line", () => {
  const bytes = Uint8Array.from({ length: 18 }, (_, i) => 0x41 + i);
  assert.equal(
    kamcmdHexdump(bytes),
    "41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP\n" +
      "51 52" + " ".repeat(44) + "QR\n",
  );
  assert.equal(
    kamcmdHexdump(bytes.subarray(0, 16)),
    `${"41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 "} \n`,
  );
});

/** Runs `midgram kamcmd ARGS` in-process. */
async function run(args: string[], env: Record<string, string> = {}, stdin?: string) {
  const io = captureIo({ env, stdin });
  const code = await cli(["kamcmd", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** A midgram binrpc server on UDP and UNIX datagram sockets for one test. */
async function withServer(
  fn: (addresses: { udp: string; unixd: string }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-"));
  const server = createServer({ transport: defaultTransport(), version: "midgram test" });
  try {
    const udp = await server.listen({ kind: "udp", host: "127.0.0.1", port: 0 }, {
      dialect: "binrpc",
    }) as Address & { port: number };
    await server.listen({ kind: "unix", path: join(dir, "ctld.sock") }, { dialect: "binrpc" });
    await fn({ udp: `udp:127.0.0.1:${udp.port}`, unixd: `unixd:${join(dir, "ctld.sock")}` });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("kamcmd prints replies, faults, aliases and formats as kamcmd does", async () => {
  await withServer(async ({ udp, unixd }) => {
    for (const s of [udp, unixd]) {
      assert.deepEqual(await run(["-s", s, "core.version"]), {
        code: 0,
        out: "midgram test\n",
        err: "",
      });
      assert.deepEqual(await run(["-s", s, "--", "core.echo", "a", "-5", "s:3"]), {
        code: 0,
        out: "a\n18446744073709551611\n3\n",
        err: "",
      });
      // A fault: kamcmd's line on stdout, and exit 1 (kamcmd exits 0).
      assert.deepEqual(await run(["-s", s, "nope.x"]), {
        code: 1,
        out: "error: 500 - command nope.x not found\n",
        err: "",
      });
      const ps = await run(["-s", s, "ps"]);
      assert.equal(ps.code, 0);
      assert.match(ps.out, /^(\d+\t[^\t\n]+\n)+$/);
      assert.deepEqual(await run(["-s", s, "-f", "[%v]\\n", "core.echo", "x", "y"]), {
        code: 0,
        out: "[x]\n[y]\n",
        err: "",
      });
      assert.equal(
        (await run(["-vs", s, "core.echo", "x"])).out,
        "x\n.\n",
      );
      assert.match(
        (await run(["-vvv", `-s${s}`, "core.echo", "x"])).out,
        /^received \d+ bytes in reply \(@offset 0\):\na1 1[0-3] .*\nnew packet: type 01, len \d+, cookie [0-9a-f]+\nx\n\.\n$/,
      );
    }
  });
});

test("kamcmd runs its built-ins: help, help ALIAS, help BUILTIN, quit, warranty", async () => {
  await withServer(async ({ udp }) => {
    const help = await run(["-s", udp, "help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /^core\.version$/m);
    assert.match(
      help.out,
      /alias: ps\nalias: psx\n(.|\n)*builtin: \?\nbuiltin: help\n(.|\n)*builtin: license\n$/,
    );
    assert.equal(
      (await run(["-s", udp, "help", "ps"])).out,
      'ps is an alias for core.ps with reply formatting: "%v\\t%v\\n"\n',
    );
    assert.equal((await run(["-s", udp, "help", "psx"])).out, "psx is an alias for core.psx\n");
    assert.equal(
      (await run(["-s", udp, "?", "quit"])).out,
      "builtin command: exits kamcmd\n",
    );
    assert.deepEqual(await run(["-s", udp, "quit"]), { code: 0, out: "", err: "" });
    assert.match(
      (await run(["-s", udp, "license"])).out,
      /^kamcmd 1\.5\nCopyright 2006 iptelorg GmbH\n\n/,
    );
  });
});

test("kamcmd's reply socket is bound at -R, or in -D, answered there, and removed after", async () => {
  await withServer(async ({ unixd }) => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-reply-"));
    try {
      for (const option of [["-R", join(dir, "reply.sock")], ["-D", dir]]) {
        assert.deepEqual(
          await run([...option, "-s", unixd, "core.version"], { MIDGRAM_TIMEOUT: "5s" }),
          { code: 0, out: "midgram test\n", err: "" },
          option.join(" "),
        );
        assert.deepEqual(readdirSync(dir), [], `${option.join(" ")}: nothing left`);
      }
      // Anything but a dead socket is never replaced: kamcmd's bind error.
      writeFileSync(join(dir, "file"), "");
      assert.deepEqual(await run(["-R", join(dir, "file"), "-s", unixd, "core.version"]), {
        code: 4,
        out: "",
        err: `ERROR: could not bind the unix socket to ${
          join(dir, "file")
        }: Address already in use (98)\n`,
      });
      const missing = join(dir, "none", "reply.sock");
      assert.deepEqual(await run(["-R", missing, "-s", unixd, "core.version"]), {
        code: 4,
        out: "",
        err: `ERROR: could not bind the unix socket to ${missing}: No such file or directory (2)\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("kamcmd reports usage errors with kamcmd's messages and exit 2", async () => {
  assert.deepEqual(await run(["-x"]), { code: 2, out: "", err: "Unknown option `-x'.\n" });
  assert.deepEqual(await run(["-s"]), { code: 2, out: "", err: "Unknown option `-s'.\n" });
  assert.deepEqual(await run(["core.echo", "-5"]), {
    code: 2,
    out: "",
    err: "Unknown option `-5'.\n",
  });
  assert.deepEqual(await run(["-s", "udp:[::1]:2046", "core.ps"]), {
    code: 2,
    out: "",
    err: "ERROR: error parsing server socket address udp:[::1]:2046\n",
  });
  const h = await run(["-h", "-x"]);
  assert.equal(h.code, 0);
  assert.match(
    h.out,
    /^version: kamcmd 1\.5 .*\nUsage: kamcmd \[options\]\[-s address\] \[ cmd \]\n/,
  );
  assert.equal((await run(["-f", "%d", "ps"])).code, 2);
});

test("kamcmd exits 4 on a missing socket, 3 on no reply and 5 on a bad reply", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-"));
  const transport = defaultTransport();
  const silent = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
  const garbage = await transport.bind({ kind: "udp", host: "127.0.0.1", port: 0 });
  const answering = (async () => {
    for (let i = 0; i < 2; i++) {
      const d = await garbage.receive();
      const reply = i === 0
        ? Uint8Array.from([0xb1, 0x10, 0x00, 0x00])
        : Uint8Array.from([0xa1, 0x13, 0x00, 0x00, 0x00, 0x00, 0x01]);
      await garbage.send(reply, d.from!);
    }
  })();
  // When an assertion fails first, closing `garbage` rejects the pending
  // receive: that must not hide the assertion as an unhandled rejection.
  answering.catch(() => {});
  try {
    const missing = join(dir, "none.sock");
    assert.deepEqual(await run(["-s", `unixd:${missing}`, "core.ps"]), {
      code: 4,
      out: "",
      err: `ERROR: connect_unix_sock: connect(${missing}): No such file or directory [2]\n`,
    });
    const port = (silent.address as { port: number }).port;
    const slow = await run(["-s", `udp:127.0.0.1:${port}`, "core.ps"], {
      MIDGRAM_TIMEOUT: "200ms",
    });
    assert.equal(slow.code, 3);
    assert.match(slow.err, /^ERROR: read reply failed: no reply within 200 ms/);
    const bad = (garbage.address as { port: number }).port;
    assert.deepEqual(await run(["-s", `127.0.0.1:${bad}`, "core.ps"]), {
      code: 5,
      out: "",
      err: "ERROR while parsing the reply: corrupted packet\n",
    });
    const cookie = await run(["-s", `127.0.0.1:${bad}`, "core.ps"]);
    assert.equal(cookie.code, 5);
    assert.match(
      cookie.err,
      /^bad reply, cookie doesn't match: sent [0-9a-f]+ and received {2}01\nERROR: cookie does not match\n$/,
    );
    await answering;
  } finally {
    await silent.close();
    await garbage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kamcmd reads lines from a pipe when no method is given, echoing them after the prompt", async () => {
  await withServer(async ({ udp }) => {
    const r = await run(["-s", udp], {}, "core.echo a\n  nope  \n\nhelp ps\nquit\ncore.echo b\n");
    assert.equal(r.code, 0);
    assert.equal(
      r.out,
      "kamcmd 1.5\nCopyright 2006 iptelorg GmbH\nThis is free software with ABSOLUTELY NO WARRANTY.\n" +
        "For details type `warranty'.\n" +
        "kamcmd> core.echo a\na\n" +
        "kamcmd>   nope  \nerror: 500 - command nope not found\n" +
        "kamcmd> \n" +
        'kamcmd> help ps\nps is an alias for core.ps with reply formatting: "%v\\t%v\\n"\n' +
        "kamcmd> quit\n",
    );
    const eof = await run(["-s", udp, "-f", "<%v>"], {}, "core.echo x y");
    assert.match(eof.out, /kamcmd> core\.echo x y\n<x><y>kamcmd> $/);
  });
});

/** `midgram kamcmd` on a pretend terminal: what it shows, and its input. */
function onTerminal(args: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = "";
  output.on("data", (c) => (screen += c));
  const io = { ...captureIo({ tty: true }), terminal: { input, output } };
  return { input, io, running: kamcmdCommand(args, io), screen: () => screen };
}

test("kamcmd on a terminal prompts kamcmd> with completion of methods, aliases and built-ins", async () => {
  await withServer(async ({ unixd }) => {
    const { input, io, running, screen: shown } = onTerminal(["-s", unixd]);
    try {
      await until(() => shown().includes("kamcmd> "), "the prompt");
      assert.match(io.out(), /^kamcmd 1\.5\n/);
      input.write("core.vers\t");
      await until(() => shown().includes("core.version"), "the completion");
      input.write("\r");
      await until(() => io.out().includes("midgram test\n"), "the version");
      input.write("core.echo  x\t\r");
      await until(() => io.out().includes("x\n"), "the echo");
      // Ctrl-C drops the line typed, writes a new line and prompts again, as GNU readline.
      input.write("core.echo lost");
      const prompts = shown().split("kamcmd> ").length;
      input.write("\x03");
      await until(() => shown().split("kamcmd> ").length > prompts, "a fresh prompt");
      const escapes = "(\\x1b\\[[0-9;]*[A-Za-z])*";
      assert.match(shown(), new RegExp(`core\\.echo lost\\n${escapes}kamcmd> ${escapes}$`));
      input.write("exit\r");
      assert.equal(await running, 0);
      assert.match(io.out(), /For details type `warranty'\.\nmidgram test\nx\n$/);
    } finally {
      // A failed step leaves the prompt waiting: the end of input ends it.
      input.end();
      await running.catch(() => {});
    }
  });
});

test("kamcmd on a terminal leaves its prompt with 128+N on a stop signal while it waits for a line", async () => {
  await withServer(async ({ unixd }) => {
    const { input, io, running, screen: shown } = onTerminal(["-s", unixd]);
    try {
      await until(() => shown().includes("kamcmd> "), "the prompt");
      let status: number | undefined;
      running.then((code) => (status = code));
      io.abort(15);
      await until(() => status !== undefined, "the prompt to end after SIGTERM");
      assert.equal(status, 143);
      assert.equal(io.err(), "");
    } finally {
      input.end();
      await running.catch(() => {});
    }
  });
});

test(
  "midgram kamcmd without -s goes to kamcmd's own default, never midgram's socket choice",
  {
    skip: existsSync("/var/run/kamailio/kamailio_ctl")
      ? "a Kamailio serves /var/run/kamailio/kamailio_ctl here"
      : false,
  },
  async () => {
    const io = captureIo({ env: { MIDGRAM_SOCKET: "/tmp/midgram-not-this.sock" } });
    assert.notEqual(await cli(["kamcmd", "core.uptime"], io), 0);
    assert.match(
      io.err(),
      /connect\(\/var\/run\/kamailio\/\/kamailio_ctl\): No such file or directory/,
    );
    assert.doesNotMatch(io.err(), /midgram-not-this/);
  },
);
