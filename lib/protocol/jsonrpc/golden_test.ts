import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createJsonRpcServerCodec } from "./create_json_rpc_server_codec.ts";
import { play } from "./testing/golden.ts";

const ROOT = fileURLToPath(new URL("../../../testdata/jsonrpc/", import.meta.url));
const text = (b: Uint8Array | null) => b === null ? "(no reply)" : new TextDecoder().decode(b);

for (const flavour of ["opensips", "kamailio"] as const) {
  const dir = `${ROOT}${flavour}/`;
  const codec = createJsonRpcServerCodec({ flavour });
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const name = file.slice(0, -5);
    test(`createJsonRpcServerCodec() answers the golden case ${flavour}/${name}`, () => {
      const request = new Uint8Array(readFileSync(dir + file));
      const expected = existsSync(`${dir}${name}.noreply`)
        ? null
        : new Uint8Array(readFileSync(`${dir}${name}.reply`));
      assert.equal(text(play(codec, request)), text(expected));
    });
  }
}
