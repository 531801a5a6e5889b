import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { crashesKamailio } from "./rpc_inputs.ts";
import { analyzeJsonRpcRequest } from "../protocol/jsonrpc/analyze_json_rpc_request.ts";
import { createServer } from "../server/server.ts";
import { createMemoryTransport } from "../transport/memory.ts";

const DIR = fileURLToPath(new URL("../../testdata/jsonrpc/kamailio-crashes/", import.meta.url));

test("every request known to kill Kamailio 5.6 is kept out of safe-mode fuzzing", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
  assert.ok(files.length >= 4);
  for (const file of files) {
    assert.ok(crashesKamailio(new Uint8Array(readFileSync(DIR + file))), file);
  }
  assert.equal(
    crashesKamailio(new TextEncoder().encode('{"jsonrpc":"2.0","method":"nope","id":7}')),
    false,
  );
});

test("parse --flavour kamailio calls every request known to kill or silence Kamailio 5.6 an error, with the reason", () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".json"))) {
    const { errors } = analyzeJsonRpcRequest(new Uint8Array(readFileSync(DIR + file)), {
      flavour: "kamailio",
    });
    assert.ok(errors.length > 0, file);
    assert.match(errors[0].message, /crash|no reply/, file);
  }
  const judge = (id: string) =>
    analyzeJsonRpcRequest(
      new TextEncoder().encode(`{"jsonrpc":"2.0","method":"nope","id":${id}}`),
      { flavour: "kamailio" },
    ).errors;
  // The real server answered these.
  for (const id of ["7", "2147483648", "1e20", "1e61", "-1e61", "1.5"]) {
    assert.deepEqual(judge(id), [], id);
  }
  for (const id of ["1e63", "-1e62", "1e100", "1e300", "1e400", "-1e400"]) {
    assert.equal(judge(id)[0]?.code, "invalid-id", id);
  }
  // OpenSIPS is not concerned.
  assert.deepEqual(
    analyzeJsonRpcRequest(
      new TextEncoder().encode('{"jsonrpc":"2.0","method":"nope","id":1e300}'),
      { flavour: "opensips" },
    ).errors,
    [],
  );
});

test("midgram serve's Kamailio flavour answers the requests that kill Kamailio, and goes on", async () => {
  const server = createServer({ transport: createMemoryTransport() });
  try {
    for (const file of readdirSync(DIR).filter((f) => f.endsWith(".json"))) {
      await server.handle(new Uint8Array(readFileSync(DIR + file)), null, {
        dialect: "jsonrpc",
        flavour: "kamailio",
      });
    }
    const after = await server.handle(
      new TextEncoder().encode('{"jsonrpc":"2.0","method":"core.echo","params":["ok"],"id":1}'),
      null,
      { dialect: "jsonrpc", flavour: "kamailio" },
    );
    assert.match(new TextDecoder().decode(after!), /"result":\t\[\s*"ok"\s*\]/);
  } finally {
    await server.close();
  }
});
