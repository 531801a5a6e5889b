import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAddress } from "../../lib/transport/address.ts";
import { defaultTransport } from "../../lib/transport/open.ts";
import type { Address } from "../../lib/transport/types.ts";
import { VERSION } from "../../lib/version.ts";
import { run, type Runtime, type ServerProcess, SPAWNS_ONLY, startServer } from "./_processes.ts";
import { receiveWithin } from "../../lib/transport/testing/wait.ts";

const RUNTIMES: Runtime[] = ["node", "deno", "binary"];
const enc = (s: string) => new TextEncoder().encode(s);

/** A raw-bytes client: not midgram's client, just the transport's socket. */
async function raw(to: Address, request: Uint8Array): Promise<string> {
  const socket = await defaultTransport().connectable(to);
  try {
    await socket.send(request, to);
    return new TextDecoder().decode((await receiveWithin(socket, 5000)).data);
  } finally {
    await socket.close();
  }
}

for (const server of RUNTIMES) {
  describe(`a ${server} server`, () => {
    let dir = "";
    let proc: ServerProcess;
    let unix = "";
    let udp6 = "";

    before(async () => {
      if (SPAWNS_ONLY) return;
      dir = mkdtempSync(join(tmpdir(), `midgram-e2e-${server}-`));
      proc = await startServer(server, [
        "-s",
        join(dir, "mi.sock"),
        "-s",
        "udp:[::1]:0",
        "--log-level",
        "error",
      ], 2);
      [unix, udp6] = proc.addresses;
    });

    after(async () => {
      if (SPAWNS_ONLY) return;
      const status = await proc?.stop();
      assert.equal(status, 143, `server exit status, 128+15 (stderr: ${proc?.stderr()})`);
      assert.equal(existsSync(join(dir, "mi.sock")), false, "SIGTERM removes the socket file");
      rmSync(dir, { recursive: true, force: true });
    });

    test(
      "answers raw clients byte for byte on UNIX and UDP v6",
      { skip: SPAWNS_ONLY },
      async () => {
        for (const address of [unix, udp6].map((a) => parseAddress(a))) {
          assert.equal(
            await raw(address, enc(":version:\n")),
            `200 OK\nServer:: midgram ${VERSION}\n\n`,
          );
          assert.equal(await raw(address, enc(":nonexistent:\n")), "500 command not available\n");
          assert.equal(
            await raw(address, enc(':get_statistics:\nna"me::x\n')),
            "400 parse_error\n",
          );
          const which = await raw(address, enc(":which:\n"));
          assert.match(which, /^200 OK\nwhich\nhelp\nkill\nlog_level\nversion\n/);
          assert.ok(which.endsWith("\ncache_remove\n\n"));
          const stats = await raw(address, enc(":get_statistics:\nall\n"));
          assert.match(stats, /^200 OK\n(mi(_cmd)?:[a-z_0-9]+:: \d+\n)+\n$/);
        }
        const big = ":get_statistics:\n" + "x".repeat(65500) + "\n";
        assert.equal(
          await raw(parseAddress(unix), enc(big)),
          `400 Request too large: ${enc(big).length} bytes, the limit is 65457\n\n`,
        );
      },
    );

    for (const client of RUNTIMES.filter((r) => r !== server)) {
      test(`answers midgram send running on ${client}`, { skip: SPAWNS_ONLY }, async () => {
        const result = await run(client, ["send", "-s", unix, "--value", "Server", "version"]);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, `midgram ${VERSION}\n`);
        const piped = await run(client, ["send", "-s", udp6], {
          input: ":cache_fetch:\nlocal\nnone\n",
        });
        assert.equal(piped.stdout, "200 OK\nValue not found\n\n");
      });
    }
  });
}

test("the binary carries the UNIX datagram addon: a round trip between two binaries", {
  skip: SPAWNS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "midgram-e2e-bin-"));
  const proc = await startServer("binary", ["-s", join(dir, "b.sock"), "--log-level", "error"], 1);
  try {
    const result = await run("binary", ["send", "-s", proc.addresses[0], "pwd"]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^200 OK\nWD:: \/.*\n\n$/);
  } finally {
    assert.equal(await proc.stop(), 143, "SIGTERM: 128+15 after a clean stop");
    rmSync(dir, { recursive: true, force: true });
  }
});
