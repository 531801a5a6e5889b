import { test } from "node:test";
import assert from "node:assert/strict";
import { caseNames, parseHex, readText, testdata } from "./testing/hex.ts";
import { formatKamcmd } from "./format_kamcmd.ts";
import { readPacket } from "./read_packet.ts";
import { readRecords } from "./read_records.ts";
import { writeRecords } from "./write_records.ts";
import { kamcmdArgument } from "./kamcmd_argument.ts";
import { KAMCMD_ALIASES } from "./kamcmd_aliases.ts";
import { createBinRpcClientCodec } from "./create_binrpc_client_codec.ts";

const dir = testdata("kamcmd");

for (const name of caseNames(dir, ".reply.hex")) {
  const packet = readPacket(parseHex(readText(`${dir}${name}.reply.hex`)!));
  const stdout = readText(`${dir}${name}.stdout`)!;
  const format = readText(`${dir}${name}.format`);
  const fault = packet.type === "fault";

  test(`formatKamcmd() prints the reply bytes of "${name}" as kamcmd did`, () => {
    assert.equal(formatKamcmd(packet.body, { format, fault }), stdout);
  });

  if (name.startsWith("crafted_")) continue;
  // Real Kamailio replies: the writer writes them back byte for byte, and
  // printing the values gives the same output.
  test(`writeRecords() writes the values of "${name}" as Kamailio did`, () => {
    const values = readRecords(packet.body);
    assert.deepEqual(writeRecords(values), packet.body);
    assert.equal(formatKamcmd(values, { format, fault }), stdout);
  });

  test(`encodeRequest() with kamcmdArgument() writes the request of "${name}" as kamcmd did`, () => {
    const request = parseHex(readText(`${dir}${name}.request.hex`)!);
    let [method, ...args] = JSON.parse(readText(`${dir}${name}.args`)!) as string[];
    if (method === "--") [method, ...args] = args;
    method = KAMCMD_ALIASES.find((a) => a.name === method)?.method ?? method;
    const cookie = readPacket(request, { code: "request-syntax" }).cookie;
    const codec = createBinRpcClientCodec();
    const values = args.map(kamcmdArgument);
    assert.deepEqual(codec.encodeRequest(method, { kind: "positional", values }, cookie), request);
  });
}
