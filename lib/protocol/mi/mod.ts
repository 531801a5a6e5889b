/**
 * The text MI dialect (OpenSIPS ≤ 2.4, Kamailio ≤ 4.4), pure (no I/O): the
 * server and client codecs, the request parser and writer, the reply
 * writer and reader in the 2.4 layout, and the reply trees that a handler
 * written in that layout builds (`node`, `okReply`, `errorReply`, `miResult`).
 * The server and the rest of the library reach the dialect through here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatReply, node, okReply, parseRequest } from "./mod.ts";
 *
 * const request = parseRequest(":version:\n");
 * assert.equal(request.command, "version");
 * const reply = okReply([node("Server", "demo")]);
 * assert.equal(formatReply(reply), "200 OK\nServer:: demo\n\n");
 * ```
 *
 * @module
 */
export {
  createMiClientCodec,
  createMiServerCodec,
  type MiClientCodecOptions,
  type MiCodecOptions,
  miResult,
} from "./codec.ts";
export { errorReply, FIXED_REPLIES, node, okReply } from "./reply_builders.ts";
export { parseRequest } from "./parse_request.ts";
export { argumentFromText, formatRequest } from "./format_request.ts";
export { formatReply, type ReplyLayoutOptions } from "./format_reply.ts";
export { parseReply, type ParseReplyOptions } from "./parse_reply.ts";
export { MAX_DATAGRAM_SIZE, NEAR_LIMIT_SIZE } from "./limits.ts";
export { RequestSyntaxError } from "./request_syntax_error.ts";
export {
  argumentsToParams,
  nodesToPlainValue,
  nodesToValue,
  paramsToArguments,
  valueToNodes,
} from "./tree_value.ts";
export type {
  MiArgument,
  MiAttribute,
  MiNode,
  MiReply,
  MiRequest,
  ParseMode,
  SourcePosition,
} from "./types.ts";
