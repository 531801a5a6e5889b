/**
 * The JSON-RPC dialect, pure (no I/O): the server codec (OpenSIPS 3.6
 * `mi_datagram` and Kamailio 5.6 `jsonrpcs`, byte for byte), the client
 * codec, OpenSIPS's parameter recipes, the FIFO framings of both servers,
 * and the request-file validator of `midgram parse`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createJsonRpcClientCodec, createJsonRpcServerCodec, matchRecipe } from "./mod.ts";
 *
 * const client = createJsonRpcClientCodec();
 * const server = createJsonRpcServerCodec({ flavour: "opensips" });
 * const id = client.newToken();
 * const request = client.encodeRequest("cache_store", { kind: "positional", values: ["local", "k", "v"] }, id);
 * const decoded = server.decode(request, () => ({ noInput: false }));
 * if (decoded.kind === "call") {
 *   const m = matchRecipe(decoded.call.params, [["system", "attr", "value"]]);
 *   const reply = m.ok
 *     ? server.encodeResult(decoded.call, "OK")
 *     : server.encodeFault(decoded.call, { kind: "invalid-params", detail: m.detail });
 *   assert.deepEqual(client.decodeReply(reply!, id), { kind: "result", value: "OK" });
 * }
 * ```
 *
 * @module
 */
export {
  createJsonRpcServerCodec,
  type JsonRpcServerOptions,
  KAMAILIO_MAX_REQUEST,
  OPENSIPS_MAX_REQUEST,
} from "./create_json_rpc_server_codec.ts";
export {
  CLIENT_MAX_REQUEST,
  createJsonRpcClientCodec,
  FULL_REPLY,
} from "./create_json_rpc_client_codec.ts";
export {
  matchRecipe,
  type MatchRecipeOptions,
  PARAMS_ERRORS,
  type RecipeMatch,
} from "./match_recipe.ts";
export {
  OPENSIPS_FIFO_BUFFER,
  type OpensipsFifoWriteOptions,
  writeOpensipsFifoRequest,
} from "./write_opensips_fifo_request.ts";
export {
  type OpensipsFifoRead,
  type OpensipsFifoReadOptions,
  type OpensipsFifoRequest,
  readOpensipsFifoRequests,
} from "./read_opensips_fifo_requests.ts";
export { KAMAILIO_FIFO_BUFFER, writeKamailioFifoRequest } from "./write_kamailio_fifo_request.ts";
export { type KamailioFifoRequest, readKamailioFifoRequest } from "./read_kamailio_fifo_request.ts";
export {
  createFifoRequestReader,
  type FifoDrop,
  type FifoRead,
  type FifoRequest,
  type FifoRequestReader,
  type FifoRequestReaderOptions,
} from "./fifo_request_reader.ts";
export {
  type AnalyzeJsonRpcOptions,
  analyzeJsonRpcRequest,
  type JsonRpcAnalysis,
  type JsonRpcCallInfo,
  type JsonRpcDiagnostic,
  type JsonRpcDiagnosticCode,
} from "./analyze_json_rpc_request.ts";
export { RAW_INTERNAL_ERROR, RAW_PARSE_ERROR } from "./_envelope.ts";
