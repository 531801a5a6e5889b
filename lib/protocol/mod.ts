/**
 * The MI datagram protocol, pure (no I/O): the request parser (compat and
 * strict modes) and writer, the reply writer and reader, and the limits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeRequest, formatReply, formatRequest, node, okReply, parseReply } from "./mod.ts";
 *
 * const bytes = formatRequest("get_statistics", [{ name: null, value: "dialog:" }]);
 * const { request, errors } = analyzeRequest(bytes, { mode: "strict" });
 * console.log(request?.args, errors); // [{ name: null, value: "dialog:" }] []
 *
 * const text = formatReply(okReply([node("dialog:active_dialogs", "3")]));
 * assert.equal(parseReply(text).nodes[0].value, "3");
 * ```
 *
 * @module
 */
export { type AnalyzeOptions, analyzeRequest, type RequestAnalysis } from "./mi/analyze_request.ts";
export { parseRequest } from "./mi/parse_request.ts";
export { RequestSyntaxError } from "./mi/request_syntax_error.ts";
export { readCommandName } from "./mi/read_command_name.ts";
export { argumentFromText, formatRequest } from "./mi/format_request.ts";
export { formatReply, type ReplyLayoutOptions } from "./mi/format_reply.ts";
export { parseReply, type ParseReplyOptions } from "./mi/parse_reply.ts";
export { errorReply, FIXED_REPLIES, node, okReply } from "./mi/reply_builders.ts";
export {
  type Diagnostic,
  DIAGNOSTIC_CODES,
  type DiagnosticCode,
  type DiagnosticKind,
  diagnosticKind,
} from "./mi/diagnostics.ts";
export { MAX_DATAGRAM_SIZE, NEAR_LIMIT_SIZE } from "./mi/limits.ts";
export type {
  MiArgument,
  MiAttribute,
  MiNode,
  MiReply,
  MiRequest,
  ParseMode,
  SourcePosition,
} from "./mi/types.ts";
export * from "./value.ts";
export { jsonShape, type ValueJsonOptions, valueToJson } from "./value_json.ts";
export { replyResult } from "./reply_result.ts";
export type {
  Call,
  ClientCodec,
  Decoded,
  DialectName,
  Fault,
  MethodShape,
  NativeResult,
  ReplyOutcome,
  ServerCodec,
} from "./dialect.ts";
export { clientCodec, type CodecOptions, DIALECTS, serverCodec } from "./dialects.ts";
export {
  type FamilyFacts,
  familyOf,
  isMethodNotFoundIn,
  type Peer,
  type PeerCodecOptions,
  type PeerMethods,
  peerOf,
  PEERS_LIST,
  type ServerFamily,
} from "./peer.ts";
export { createMiClientCodec, createMiServerCodec, miResult } from "./mi/codec.ts";
export {
  analyzeJsonRpcRequest,
  createJsonRpcClientCodec,
  createJsonRpcServerCodec,
  matchRecipe,
  PARAMS_ERRORS,
} from "./jsonrpc/mod.ts";
export {
  createBinRpcClientCodec,
  createBinRpcServerCodec,
  formatKamcmd,
  KAMCMD_ALIASES,
  kamcmdArgument,
  readRecords,
  writeRecords,
} from "./binrpc/mod.ts";
export {
  analyzeCtlFifoRequest,
  createCtlFifoClientCodec,
  createCtlFifoServerCodec,
  readCtlFifoReply,
  readCtlFifoRequest,
  readCtlFifoStruct,
  writeCtlFifoReply,
  writeCtlFifoRequest,
} from "./ctlfifo/mod.ts";
