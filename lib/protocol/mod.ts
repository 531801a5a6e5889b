/**
 * The MI datagram protocol, pure (no I/O): the request parser (compat and
 * strict modes) and writer, the reply writer and reader, and the limits.
 *
 * @example
 * ```ts
 * import { analyzeRequest, formatReply, formatRequest, node, okReply, parseReply } from "./mod.ts";
 *
 * const bytes = formatRequest("get_statistics", [{ name: null, value: "dialog:" }]);
 * const { request, errors } = analyzeRequest(bytes, { mode: "strict" });
 * console.log(request?.args, errors); // [{ name: null, value: "dialog:" }] []
 *
 * const text = formatReply(okReply([node("dialog:active_dialogs", "3")]));
 * console.log(parseReply(text).nodes[0].value); // "3"
 * ```
 *
 * @module
 */
export { type AnalyzeOptions, analyzeRequest, type RequestAnalysis } from "./analyze_request.ts";
export { parseRequest } from "./parse_request.ts";
export { RequestSyntaxError } from "./request_syntax_error.ts";
export { readCommandName } from "./read_command_name.ts";
export { argumentFromText, formatRequest } from "./format_request.ts";
export { formatReply, type ReplyLayoutOptions } from "./format_reply.ts";
export { parseReply, type ParseReplyOptions } from "./parse_reply.ts";
export { errorReply, FIXED_REPLIES, node, okReply } from "./reply_builders.ts";
export {
  type Diagnostic,
  DIAGNOSTIC_CODES,
  type DiagnosticCode,
  type DiagnosticKind,
  diagnosticKind,
} from "./diagnostics.ts";
export { MAX_DATAGRAM_SIZE, NEAR_LIMIT_SIZE } from "./limits.ts";
export type {
  MiArgument,
  MiAttribute,
  MiNode,
  MiReply,
  MiRequest,
  ParseMode,
  SourcePosition,
} from "./types.ts";
