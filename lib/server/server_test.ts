import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type MiServer, type ServerOptions } from "./server.ts";
import { MiReplyError } from "./mi_reply_error.ts";
import { node } from "../protocol/mi/reply_builders.ts";
import { GOLDEN_NOW, goldenServer } from "../fuzz/golden.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { defaultTransport } from "../transport/open.ts";
import type { Address } from "../transport/types.ts";
import { receiveWithin } from "../transport/testing/wait.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

const FIXED_NOW = GOLDEN_NOW;

function server(options: Partial<ServerOptions> = {}): MiServer {
  return goldenServer({ version: "midgram test", ...options });
}

async function ask(s: MiServer, request: string | Uint8Array): Promise<string | null> {
  return dec(await s.handle(typeof request === "string" ? enc(request) : request));
}

test("MiServer.handle() answers the fixed transport errors byte for byte", async () => {
  const s = server();
  assert.equal(await ask(s, ""), null, "an empty datagram gets no reply");
  assert.equal(await ask(s, ":nonexistent:\n"), "500 command not available\n");
  assert.equal(await ask(s, ":VERSION:\n"), "500 command not available\n");
  assert.equal(await ask(s, ":version:\r\n"), "500 command not available\n");
  assert.equal(await ask(s, " :version:\n"), "500 command not available\n");
  assert.equal(await ask(s, ":version: \n"), "500 command not available\n");
  assert.equal(await ask(s, ":version:"), "500 command not available\n");
  assert.equal(await ask(s, ':get_statistics:\nna"me::x\n'), "400 parse_error\n");
  assert.equal(await ask(s, ':get_statistics:\n"unterminated\n'), "400 parse_error\n");
  await s.close();
});

test("MiServer.handle() ignores everything after the first line of a no-input command", async () => {
  const s = server();
  const expected = "200 OK\nServer:: midgram test\n\n";
  assert.equal(await ask(s, ":version:\n"), expected);
  assert.equal(await ask(s, ':version:\nbad"quote\n\0\0:which:\n'), expected);
  await s.close();
});

test("MiServer.handle() answers an oversized request with a clear error, never a cut", async () => {
  const s = server();
  const big = ":get_statistics:\n" + "x".repeat(70000) + "\n";
  assert.equal(
    await ask(s, big),
    `400 Request too large: ${enc(big).length} bytes, the limit is 65457\n\n`,
  );
  assert.equal(s.stats()["mi:oversized"], 1);
  await s.close();
});

test("MiServer.handle() turns an oversized reply into an error reply", async () => {
  const s = server();
  s.registerMi("huge", () => [node(null, "y".repeat(70000))], { noInput: true });
  const reply = await ask(s, ":huge:\n");
  assert.match(reply!, /^500 Reply too large: \d+ bytes, the limit is 65457\n\n$/);
  await s.close();
});

test("MiServer runs user commands: sync, async, error replies, throws and hangs", async () => {
  const s = server({ handlerTimeoutMs: 100 });
  s.registerMi("echo", (args) => args.map((a) => node(a.name, a.value)));
  s.registerMi("later", async () => {
    await new Promise((r) => setTimeout(r, 5));
    return { code: 201, reason: "Created", nodes: [node("id", "7")], bare: false };
  });
  s.registerMi("refuse", () => {
    throw new MiReplyError(404, "Not found");
  });
  s.registerMi("crash", () => {
    throw new Error("boom");
  });
  s.registerMi(
    "hang",
    (_args, { signal }) =>
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  );
  s.registerMi("badtext", () => [node(null, "two\nlines")]);
  assert.equal(await ask(s, ":echo:\nname::value\nbare\n"), "200 OK\nname:: value\nbare\n\n");
  assert.equal(await ask(s, ":later:\n"), "201 Created\nid:: 7\n\n");
  assert.equal(await ask(s, ":refuse:\n"), "404 Not found\n\n");
  assert.equal(await ask(s, ":crash:\n"), "500 command failed\n");
  assert.equal(await ask(s, ":hang:\n"), "500 command failed\n");
  assert.equal(await ask(s, ":badtext:\n"), "500 command failed\n");
  assert.equal(await ask(s, ":echo:\nstill::alive\n"), "200 OK\nstill:: alive\n\n");
  const stats = s.stats();
  assert.equal(stats["mi:handler_errors"], 1);
  assert.equal(stats["mi:handler_timeouts"], 1);
  assert.equal(stats["mi:unrepresentable_replies"], 1);
  await s.close();
});

test("MiServer.register() refuses duplicate and invalid names", () => {
  const s = server();
  assert.throws(() => s.registerMi("version", () => {}), /already registered/);
  assert.throws(() => s.registerMi("a b", () => {}), /invalid command name/);
  assert.throws(() => s.registerMi("a:b", () => {}), /invalid command name/);
  assert.throws(() => s.registerMi("", () => {}), /invalid command name/);
});

test("MiServer runs at most `children` handlers at once", async () => {
  const s = server({ children: 2 });
  let running = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  s.registerMi("slow", () => {
    running++;
    peak = Math.max(peak, running);
    return new Promise<void>((resolve) =>
      gates.push(() => {
        running--;
        resolve();
      })
    );
  }, { noInput: true });
  const replies = Array.from({ length: 5 }, () => ask(s, ":slow:\n"));
  while (gates.length < 2) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(gates.length, 2, "only two handlers started");
  while (gates.length > 0 || running > 0) {
    gates.shift()?.();
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.deepEqual(await Promise.all(replies), Array(5).fill("200 OK\n\n"));
  assert.equal(peak, 2);
  await s.close();
});

test("built-in commands reply in the real servers' layout", async () => {
  const s = server({ builtins: { disable: ["kill"] } });
  const which = await ask(s, ":which:\n");
  assert.match(which!, /^200 OK\nwhich\nhelp\n/);
  assert.ok(!which!.includes("\nkill\n"), "kill is disabled");
  assert.equal(await ask(s, ":kill:\n"), "500 command not available\n");
  assert.equal(await ask(s, ":pwd:\n"), "200 OK\nWD:: /srv\n\n");
  assert.equal(await ask(s, ":arg:\n"), "200 OK\nmidgram\nserve\n\n");
  assert.equal(await ask(s, ":ps:\n"), "200 OK\nProcess::  ID=0 PID=4242 Type=midgram\n\n");
  assert.equal(
    await ask(s, ":uptime:\n"),
    "200 OK\nNow:: Sun Nov 22 21:00:00 2026\nUp since:: Sun Nov 22 21:00:00 2026\nUp time:: 0 [sec]\n\n",
  );
  assert.equal(
    await ask(s, ":help:\nversion\n"),
    "200 OK\nHelp:: prints the version string of the running server\n\n",
  );
  assert.equal(await ask(s, ":help:\nnope\n"), "404 unknown MI command\n\n");
  assert.equal(await ask(s, ":help:\n"), "400 Too few or too many arguments\n\n");
  assert.equal(
    await ask(s, ":log_level:\n"),
    "200 OK\nProcess::  PID=4242 Log level=3 Type=midgram\n\n",
  );
  assert.equal(await ask(s, ":log_level:\n4\n"), "200 OK\nNew global log level:: 4\n\n");
  assert.equal(await ask(s, ":log_level:\nfour\n"), "400 Bad parameter\n\n");
  await s.close();
});

test("cache built-ins store, fetch, expire and remove", async () => {
  let now = FIXED_NOW.getTime();
  const s = server({ host: { now: () => new Date(now) } });
  assert.equal(await ask(s, ":cache_store:\nlocal\nkey\nvalue one\n"), "200 OK\n\n");
  assert.equal(await ask(s, ":cache_fetch:\nlocal\nkey\n"), "200 OK\nkey = [value one]\n\n");
  assert.equal(await ask(s, ":cache_store:\nlocal\nshort\nv\n10\n"), "200 OK\n\n");
  now += 11_000;
  assert.equal(await ask(s, ":cache_fetch:\nlocal\nshort\n"), "200 OK\nValue not found\n\n");
  assert.equal(await ask(s, ":cache_remove:\nlocal\nkey\n"), "200 OK\n\n");
  assert.equal(await ask(s, ":cache_fetch:\nlocal\nkey\n"), "200 OK\nValue not found\n\n");
  assert.equal(await ask(s, ":cache_store:\nlocal\n"), "404 Too few arguments\n\n");
  assert.equal(
    await ask(s, ":cache_store:\nlocal\nk\nv\nsoon\n"),
    "404 Bad format for expires argument\n\n",
  );
  await s.close();
});

test("statistics count requests, replies by code, bytes and commands", async () => {
  const s = server();
  await ask(s, ":version:\n");
  await ask(s, ":nope:\n");
  await ask(s, ':cache_fetch:\n"x\n');
  const stats = s.stats();
  assert.equal(stats["mi:requests"], 3);
  assert.equal(stats["mi:replies_200"], 1);
  assert.equal(stats["mi:replies_500"], 1);
  assert.equal(stats["mi:replies_400"], 1);
  assert.equal(stats["mi:unknown_commands"], 1);
  assert.equal(stats["mi:parse_errors"], 1);
  assert.equal(stats["mi_cmd:version"], 1);
  assert.equal(stats["mi:bytes_in"], ':version:\n:nope:\n:cache_fetch:\n"x\n'.length);
  const all = await ask(s, ":get_statistics:\nmi:requests\nmi_cmd:\n");
  assert.equal(all, "200 OK\nmi:requests:: 4\nmi_cmd:get_statistics:: 1\nmi_cmd:version:: 1\n\n");
  assert.equal(await ask(s, ":reset_statistics:\nmi:requests\n"), "200 OK\n\n");
  assert.equal(
    s.stats()["mi:requests"],
    0,
    "the reset request itself was counted before the reset",
  );
  await s.close();
});

/** A signal that aborts after `ms` (a timer that keeps the event loop alive, unlike AbortSignal.timeout). */
async function rawExchange(
  transport: ReturnType<typeof defaultTransport>,
  to: Address,
  request: Uint8Array,
) {
  const client = await transport.connectable(to);
  try {
    await client.send(request, to);
    return dec((await receiveWithin(client, 3000)).data);
  } finally {
    await client.close();
  }
}

test("MiServer serves real UNIX and UDP sockets at once, byte for byte", async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-server-"));
  const transport = defaultTransport();
  const s = createServer({ transport, version: "midgram test", allow: ["127.0.0.0/8", "::1/128"] });
  try {
    const unix = await s.listen({ kind: "unix", path: join(dir, "mi.sock") }) as Address;
    const udp4 = await s.listen("udp:127.0.0.1:0") as Address;
    const udp6 = await s.listen("udp:[::1]:0") as Address;
    assert.ok(udp4.kind === "udp" && udp4.port > 0);
    for (const address of [unix, udp4, udp6]) {
      assert.equal(
        await rawExchange(transport, address, enc(":version:\n")),
        "200 OK\nServer:: midgram test\n\n",
      );
      assert.equal(
        await rawExchange(transport, address, enc(":x:\n")),
        "500 command not available\n",
      );
    }
    // Random bytes and vanished clients do not stop it.
    const gone = await transport.connectable(unix);
    await gone.send(enc(":version:\n"), unix);
    await gone.close();
    await rawExchange(transport, unix, new Uint8Array([0xff, 0, 0x3a, 0x0a]));
    assert.equal(
      await rawExchange(transport, unix, enc(":version:\n")),
      "200 OK\nServer:: midgram test\n\n",
    );
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MiServer drops UDP peers outside the allow list", async () => {
  const transport = createMemoryTransport();
  const s = createServer({ transport, allow: ["10.0.0.0/8"] });
  const address = await s.listen("udp:127.0.0.1:9") as Address;
  const client = await transport.connectable(address);
  await client.send(enc(":version:\n"), address);
  await assert.rejects(receiveWithin(client, 100), /no datagram within 100 ms/);
  assert.equal(s.stats()["mi:denied"], 1);
  await client.close();
  await s.close();
  assert.throws(
    () => createServer({ transport, allow: ["300.1.2.3/8"] }),
    /Cannot parse allowed range "300.1.2.3\/8"/,
  );
});
