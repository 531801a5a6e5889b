/**
 * The real servers decide: `midgram send` against the real Kamailio 5.6 over
 * every transport it offers (binrpc: unixs, unixd, udp, tcp; JSON-RPC:
 * datagram, FIFO, HTTP), and the real clients (`kamcmd`, `kamcli`) against
 * `midgram serve`. `.ci/run` starts the peer and sets the variables; without
 * them these tests skip and say why.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../main.ts";
import { captureIo } from "../io.ts";
import { createServer, type MiServer } from "../../lib/server/server.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import { formatAddress } from "../../lib/transport/address.ts";

const env = (globalThis as { process: { env: Record<string, string | undefined> } }).process.env;
const RUNDIR = env.MIDGRAM_KAMAILIO_RUNDIR;
const UDP = env.MIDGRAM_KAMAILIO_CTL_UDP ?? "2046";
const TCP = env.MIDGRAM_KAMAILIO_CTL_TCP ?? "2047";
const HTTP = env.MIDGRAM_KAMAILIO_HTTP;
const KAMCMD = env.MIDGRAM_KAMCMD;
const KAMCLI = env.MIDGRAM_KAMCLI;
const noPeer = RUNDIR ? false : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (.ci/run does)";

/** Runs a program with a time limit; resolves with its status and output. */
function spawnWithin(
  file: string,
  args: string[],
  ms = 10_000,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: ms, encoding: "utf8" }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : 124) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

async function send(args: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = captureIo({ env: { MIDGRAM_CONFIG: "/dev/null" } });
  const status = await cli(["send", "-t", "5s", ...args], io);
  return { status, out: io.out(), err: io.err() };
}

const binrpcAddresses = () => [
  `unixs:${RUNDIR}/ctl.sock`,
  `unixd:${RUNDIR}/ctld.sock`,
  `udp:127.0.0.1:${UDP}`,
  `tcp:127.0.0.1:${TCP}`,
];

test(
  "send --dialect binrpc reaches the real Kamailio over unixs, unixd, udp and tcp, printing what kamcmd prints",
  {
    skip: noPeer || (KAMCMD ? false : "no kamcmd: set MIDGRAM_KAMCMD"),
  },
  async () => {
    for (const address of binrpcAddresses()) {
      for (const call of [["core.echo", "a", "1", "s:2", "2.5"], ["core.ps"], ["nosuch.method"]]) {
        const ours = await send(["--dialect", "binrpc", "-s", address, ...call]);
        const theirs = await spawnWithin(KAMCMD!, ["-s", address, ...call]);
        assert.equal(ours.out, theirs.stdout, `${address} ${call.join(" ")}`);
        // The one difference: a fault exits 1 (kamcmd exits 0).
        assert.equal(ours.status, call[0] === "nosuch.method" ? 1 : 0, ours.err);
      }
    }
  },
);

test(
  "send finds the dialect of each real Kamailio socket by itself",
  { skip: noPeer },
  async () => {
    const binrpc = await send(["-s", `unixd:${RUNDIR}/ctld.sock`, "--json", "core.echo", "x"]);
    assert.equal(binrpc.status, 0, binrpc.err);
    // One value is the result itself (jsonrpcs's RET_ARRAY methods answer ["x"]: binrpc cannot tell).
    assert.deepEqual(JSON.parse(binrpc.out), "x");
    const json = await send(["-s", `${RUNDIR}/jsonrpc.sock`, "core.echo", "x", "s:7"]);
    assert.equal(json.status, 0, json.err);
    assert.deepEqual(JSON.parse(json.out), ["x", "7"]);
  },
);

test("send --dialect jsonrpc reaches the real Kamailio jsonrpcs over datagram, FIFO and HTTP", {
  skip: noPeer,
}, async () => {
  const targets = [
    ["-s", `${RUNDIR}/jsonrpc.sock`],
    ["--flavour", "kamailio", "--reply-dir", RUNDIR!, "-s", `fifo:${RUNDIR}/jsonrpc.fifo`],
    ...(HTTP ? [["-s", HTTP]] : []),
  ];
  for (const target of targets) {
    const up = await send(["--dialect", "jsonrpc", ...target, "--value", "uptime", "core.uptime"]);
    assert.equal(up.status, 0, `${target.join(" ")}: ${up.err}`);
    assert.match(up.out, /^\d+\n$/);
    const missing = await send(["--dialect", "jsonrpc", ...target, "no.such"]);
    assert.equal(missing.status, 1, target.join(" "));
    assert.deepEqual(JSON.parse(missing.out), {
      error: { code: 500, message: "Method Not Found" },
    });
  }
  // No reply FIFO of this process is left behind (other test files, run
  // alongside, use the same directory for their own).
  assert.deepEqual(
    readdirSync(RUNDIR!).filter((f) => f.startsWith(`midgram_${process.pid}_`)),
    [],
  );
});

/** A midgram server standing in for Kamailio on every binrpc transport and jsonrpcs. */
async function standIn(dir: string): Promise<{ server: MiServer; addresses: string[] }> {
  const server = createServer({ transport: defaultTransport(), version: "midgram stand-in" });
  const addresses: string[] = [];
  for (
    const address of [
      `unixs:${join(dir, "ctl.sock")}`,
      `unixd:${join(dir, "ctld.sock")}`,
      "udp:127.0.0.1:0",
      "tcp:127.0.0.1:0",
    ]
  ) {
    const bound = await server.listen(address, { dialect: "binrpc", mode: 0o666 });
    // kamcmd reads a bare path as a stream socket: name the datagram one as it does.
    addresses.push(bound.kind === "unix" ? `unixd:${bound.path}` : formatAddress(bound));
  }
  await server.listen(join(dir, "jsonrpc.sock"), {
    dialect: "jsonrpc",
    flavour: "kamailio",
    mode: 0o666,
  });
  return { server, addresses };
}

test(
  "the real kamcmd gets the same output from midgram serve as from Kamailio, over all four transports",
  {
    skip: KAMCMD ? false : "no kamcmd: set MIDGRAM_KAMCMD",
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-kamcmd-"));
    const { server, addresses } = await standIn(dir);
    try {
      for (const address of addresses) {
        const echo = await spawnWithin(KAMCMD!, ["-s", address, "core.echo", "a", "s:1", "b"]);
        assert.equal(echo.stdout, "a\n1\nb\n", `${address}: ${echo.status} ${echo.stderr}`);
        const uptime = await spawnWithin(KAMCMD!, ["-s", address, "core.uptime"]);
        assert.match(
          uptime.stdout,
          /^\{\n\tnow: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n\tup_since: .+\n\tuptime: \d+\n\}\n$/,
        );
        const fault = await spawnWithin(KAMCMD!, ["-s", address, "nosuch.method"]);
        assert.equal(fault.stdout, "error: 500 - command nosuch.method not found\n");
        const methods = await spawnWithin(KAMCMD!, ["-s", address, "system.listMethods"]);
        assert.match(methods.stdout, /^core\.echo$/m);
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("the real kamcli talks to midgram serve in Kamailio's jsonrpcs flavour", {
  skip: KAMCLI ? false : "no kamcli: set MIDGRAM_KAMCLI",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-kamcli-"));
  const { server } = await standIn(dir);
  const ini = join(dir, "kamcli.ini");
  writeFileSync(
    ini,
    `[jsonrpc]\ntransport=socket\nsrvaddr=${join(dir, "jsonrpc.sock")}\nrcvaddr=${
      join(dir, "kamcli_reply.sock")
    }\noutformat=json\n`,
  );
  try {
    const up = await spawnWithin(KAMCLI!, [
      "-c",
      ini,
      "--no-default-configs",
      "rpc",
      "core.uptime",
    ]);
    const reply = JSON.parse(up.stdout.slice(up.stdout.indexOf("{")));
    assert.equal(reply.jsonrpc, "2.0");
    assert.equal(typeof reply.result.uptime, "number");
    const missing = await spawnWithin(KAMCLI!, ["-c", ini, "--no-default-configs", "rpc", "x.y"]);
    assert.deepEqual(JSON.parse(missing.stdout.slice(missing.stdout.indexOf("{"))).error, {
      code: 500,
      message: "Method Not Found",
    });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const JQ = ["/usr/bin/jq", "/usr/local/bin/jq"].find((p) => existsSync(p));
const DATA = env.MIDGRAM_KAMAILIO_DATA;
const noData = noPeer ||
  (DATA
    ? false
    : "no data in the peer: start it with KAM_WITH_DATA=1 and set MIDGRAM_KAMAILIO_DATA");

/** Runs jq with a filter on a text; its output. */
function jq(filter: string, input: string): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      JQ!,
      ["-c", filter],
      { timeout: 10_000, encoding: "utf8" },
      (e, out) => resolve({ status: e ? 1 : 0, out: out.trim() }),
    );
    child.stdin!.end(input);
  });
}

test(
  "jq reads every --json output of the data methods over binrpc and JSON-RPC with nothing lost: member counts as in kamcmd's text",
  { skip: noData || (KAMCMD ? false : "no kamcmd: set MIDGRAM_KAMCMD") || (JQ ? false : "no jq") },
  async () => {
    const calls = [["ul.dump"], ["dispatcher.list"], ["htable.dump", "t"]];
    const binrpc = `unixs:${RUNDIR}/ctl.sock`;
    for (const call of calls) {
      const text = (await spawnWithin(KAMCMD!, ["-s", binrpc, ...call])).stdout;
      // Every "name: value" line of kamcmd's text is one scalar member.
      const scalars = [...text.matchAll(/^\t*([^\t:{}]+): (?!\{$).*$/gm)].map((m) => m[1]);
      assert.ok(scalars.length > 5, `${call[0]}: ${text}`);
      for (const target of [["-s", binrpc], ["-s", `${RUNDIR}/jsonrpc.sock`]]) {
        const ours = await send([...target, "--json", ...call]);
        assert.equal(ours.status, 0, ours.err);
        const read = await jq("[paths(scalars) | .[-1] | strings]", ours.out);
        assert.equal(read.status, 0, ours.out);
        const names = JSON.parse(read.out) as string[];
        const count = (list: string[]) =>
          Object.fromEntries(
            [...new Set(list)].map((n) => [n, list.filter((x) => x === n).length]),
          );
        assert.deepEqual(count(names), count(scalars), `${call[0]} ${target.join(" ")}`);
      }
    }
    const users = await send(["-s", binrpc, "--json", "ul.dump"]);
    assert.equal((await jq("[.. | .AoR? // empty] | length", users.out)).out, "2");
    const list = await send(["-s", binrpc, "--json", "dispatcher.list"]);
    assert.equal((await jq("[.. | .URI? // empty] | length", list.out)).out, "3");
  },
);

test(
  "--value paths mean the same over binrpc and JSON-RPC for the same Kamailio method",
  { skip: noData },
  async () => {
    const paths: Array<[string, string[], string]> = [
      ["uptime", ["core.uptime"], "^\\d+\n$"],
      ["0.uptime", ["core.uptime"], "^\\d+\n$"],
      ["RECORDS[].SET.ID", ["dispatcher.list"], "^2\n1\n$"],
      ["RECORDS.1.SET.ID", ["dispatcher.list"], "^1\n$"],
      ["RECORDS.1.SET.TARGETS.1.DEST.URI", ["dispatcher.list"], "^sip:127.0.0.1:5070\n$"],
      ["RECORDS[].SET.TARGETS[].DEST.URI", ["dispatcher.list"], "^(sip:127.0.0.1:50[78]\\d\n){3}$"],
      ["Domains.Domain.AoRs[].Info.AoR", ["ul.dump"], "^bob\nalice\n$|^alice\nbob\n$"],
      ["Domains.0.Domain.AoRs.0.Info.Contacts.0.Contact.Q", ["ul.dump"], "^1\n$"],
      ["1.slot[].name", ["htable.dump", "t"], "^k[12]\n$"],
    ];
    for (const [path, call, want] of paths) {
      for (const target of [`unixs:${RUNDIR}/ctl.sock`, `${RUNDIR}/jsonrpc.sock`]) {
        const got = await send(["-s", target, "--value", path, ...call]);
        assert.equal(got.status, 0, `${path} ${target}: ${got.err}`);
        assert.match(got.out, new RegExp(want), `${path} ${target}`);
      }
    }
  },
);

/** A `core.uptime` request for Kamailio's FIFO that asks for its reply in `name`. */
const uptimeInto = (name: string) =>
  `{"jsonrpc":"2.0","method":"core.uptime","id":1,"reply_name":"${name}"}\n`;

/**
 * Writes `writes` to the Kamailio-flavour FIFO `fifo` through `cat` (a peer
 * process), a request (a function of a reply name) made with a reply FIFO
 * of its own in `replyDir`; then sends one more request and waits for its
 * answer (the FIFO is read in order), and tells which of the earlier
 * requests were answered.
 */
async function fifoOutcome(
  fifo: string,
  replyDir: string,
  writes: (string | ((name: string) => string))[],
): Promise<boolean[]> {
  const tag = Math.random().toString(36).slice(2, 8);
  const fds: number[] = [];
  const names: string[] = [];
  try {
    const chunks = writes.map((write) => {
      if (typeof write === "string") return write;
      const name = `midgram_interop_${tag}_${names.length}`;
      execFileSync("mkfifo", ["-m", "600", join(replyDir, name)]);
      names.push(name);
      fds.push(openSync(join(replyDir, name), constants.O_RDONLY | constants.O_NONBLOCK));
      return write(name);
    });
    await new Promise<void>((resolve, reject) => {
      const child = spawn("sh", ["-c", 'exec cat > "$1"', "sh", fifo], {
        stdio: ["pipe", "ignore", "inherit"],
      });
      child.on("error", reject);
      child.on("exit", () => resolve());
      for (const chunk of chunks) child.stdin!.write(chunk);
      child.stdin!.end();
    });
    const last = await send([
      "--dialect",
      "jsonrpc",
      "--flavour",
      "kamailio",
      "--reply-dir",
      replyDir,
      "-s",
      `fifo:${fifo}`,
      "core.uptime",
    ]);
    assert.equal(last.status, 0, last.err);
    // A reply FIFO no writer ever opened reads its end at once.
    return fds.map((fd) => readSync(fd, new Uint8Array(4096)) > 0);
  } finally {
    for (const fd of fds) closeSync(fd);
    for (const name of names) rmSync(join(replyDir, name), { force: true });
  }
}

test(
  "a request over 8191 bytes on the FIFO: midgram serve drops it and reads on as the real jsonrpcs does",
  { skip: noPeer },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-kam-fifo-"));
    const server = createServer({ transport: defaultTransport(), fifoReplyDir: dir });
    try {
      const ours = join(dir, "k.fifo");
      await server.listen(`fifo:${ours}`, { dialect: "jsonrpc", flavour: "kamailio" });
      const oversized = "{" + "a".repeat(9000);
      for (
        const writes of [
          // The rest of the dropped request spoils the next one; the one after is answered.
          [oversized, uptimeInto, uptimeInto],
          // "{}" gets the stream back in step.
          [oversized, "{}\n", uptimeInto],
        ]
      ) {
        const theirs = await fifoOutcome(join(RUNDIR!, "jsonrpc.fifo"), RUNDIR!, writes);
        const mine = await fifoOutcome(ours, dir, writes);
        assert.deepEqual(mine, theirs, `writes: ${writes.map(String).join(" | ").slice(0, 200)}`);
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
