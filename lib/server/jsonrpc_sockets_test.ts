/**
 * The JSON-RPC golden envelope cases (`testdata/jsonrpc/`), replayed
 * against a real `midgram serve` over UNIX datagram and UDP sockets, in both
 * flavours: the server must answer byte for byte what the codec's golden
 * files say OpenSIPS 3.6 and Kamailio 5.6 answer.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { goldenRpcServer } from "../fuzz/golden_rpc.ts";
import { defaultTransport } from "../transport/open.ts";
import type { Address } from "../transport/types.ts";
import { receiveWithin } from "../transport/testing/wait.ts";

const ROOT = fileURLToPath(new URL("../../testdata/jsonrpc/", import.meta.url));
const text = (b: Uint8Array | null) => b === null ? "(no reply)" : new TextDecoder().decode(b);
const UDP_MAX = 65507;

for (const flavour of ["opensips", "kamailio"] as const) {
  test(`midgram serve --dialect jsonrpc (${flavour}) answers every golden case over UNIX and UDP`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "midgram-jsonrpc-"));
    const transport = defaultTransport();
    // The golden cases' methods, served on real sockets.
    const server = goldenRpcServer(transport);
    const cases = `${ROOT}${flavour}/`;
    // A request every flavour answers, to prove that a case with no reply sent none.
    const probe = new TextEncoder().encode(
      flavour === "opensips"
        ? '{"jsonrpc":"2.0","method":"version","id":"probe"}'
        : '{"jsonrpc":"2.0","method":"core.echo","params":["probe"],"id":"probe"}',
    );
    try {
      const addresses = [
        await server.listen(join(dir, "j.sock"), { dialect: "jsonrpc", flavour }),
        await server.listen("udp:127.0.0.1:0", { dialect: "jsonrpc", flavour }),
      ] as Address[];
      const probeReply = await server.handle(probe, null, { dialect: "jsonrpc", flavour });
      for (const address of addresses) {
        for (const file of readdirSync(cases).filter((f) => f.endsWith(".json")).sort()) {
          const name = file.slice(0, -5);
          const request = new Uint8Array(readFileSync(cases + file));
          if (request.length === 0 || (address.kind === "udp" && request.length > UDP_MAX)) {
            continue;
          }
          const expected = existsSync(`${cases}${name}.noreply`)
            ? null
            : new Uint8Array(readFileSync(`${cases}${name}.reply`));
          const client = await transport.connectable(address);
          try {
            await client.send(request, address);
            if (expected === null) await client.send(probe, address);
            const reply = (await receiveWithin(client, 5000)).data;
            assert.equal(
              text(reply),
              text(expected ?? probeReply),
              `${flavour}/${name} over ${address.kind}`,
            );
          } finally {
            await client.close();
          }
        }
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
