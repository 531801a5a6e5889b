/**
 * binrpc, the binary protocol of Kamailio's `ctl` module, and the
 * conventions of its client kamcmd. Pure: no I/O.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createBinRpcClientCodec, formatKamcmd, kamcmdArgument } from "./mod.ts";
 * const codec = createBinRpcClientCodec();
 * const cookie = codec.newToken();
 * const request = codec.encodeRequest("core.echo", {
 *   kind: "positional",
 *   values: ["1", "s:x"].map(kamcmdArgument),
 * }, cookie);
 * assert.equal(request[0], 0xa1);
 * assert.equal(formatKamcmd(["x", 1]), "x\n1\n");
 * ```
 *
 * @module
 */
export type { BinRpcPacket, BinRpcPacketType } from "./binrpc_packet.ts";
export { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";
export { binrpcResult } from "./binrpc_result.ts";
export { createBinRpcClientCodec } from "./create_binrpc_client_codec.ts";
export { type BinRpcServerOptions, createBinRpcServerCodec } from "./create_binrpc_server_codec.ts";
export { formatKamcmd, type FormatKamcmdOptions } from "./format_kamcmd.ts";
export { frame, type FrameOptions } from "./frame.ts";
export { KAMCMD_ALIASES, type KamcmdAlias } from "./kamcmd_aliases.ts";
export { kamcmdArgument } from "./kamcmd_argument.ts";
export { type ReadPacket, readPacket } from "./read_packet.ts";
export { readRecords, type ReadRecordsOptions } from "./read_records.ts";
export { writePacket } from "./write_packet.ts";
export { writeRecords } from "./write_records.ts";
