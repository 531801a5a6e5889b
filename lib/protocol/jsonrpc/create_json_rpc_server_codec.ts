import { jsonRpcFifoFraming, jsonRpcHttp } from "./carriage.ts";
import { ERROR_DISPOSITIONS } from "../../errors.ts";
import type { Call, Decoded, DecodeRefusal, Fault, MethodShape, ServerCodec } from "../dialect.ts";
import { isNativeResult, type NativeResult } from "../dialect.ts";
import { positionAt } from "../_bytes.ts";
import { Members, type Value } from "../value.ts";
import { getMember, type JNode, readJson } from "./_cjson.ts";
import { cValueInt } from "./_c_number.ts";
import {
  envelope,
  errorObject,
  type IdEcho,
  type JsonRpcToken,
  RAW_INTERNAL_ERROR,
  RAW_PARSE_ERROR,
  rawBytes,
} from "./_envelope.ts";
import { nodeParams, nodeText } from "./_value.ts";
import { kamailioRpcFault } from "./_kamailio_fault.ts";

/** Options of {@linkcode createJsonRpcServerCodec}. */
export interface JsonRpcServerOptions {
  /** Whose behaviour to reproduce: OpenSIPS 3.6 `mi_datagram` or Kamailio 5.6 `jsonrpcs`. */
  flavour: "opensips" | "kamailio";
}

/** Largest request OpenSIPS reads; longer datagrams are cut to this, then parsed. */
export const OPENSIPS_MAX_REQUEST = 65457;
/** Largest request Kamailio reads (its datagram buffer). */
export const KAMAILIO_MAX_REQUEST = 65456;

const ABSENT: IdEcho = { kind: "absent" };

function answer(
  reply: Uint8Array | null,
  reason: DecodeRefusal,
  message: string,
  fault?: Fault,
): Decoded {
  return fault
    ? { kind: "answer", reply, reason, message, fault }
    : { kind: "answer", reply, reason, message };
}

function at(bytes: Uint8Array, offset: number): string {
  const { line, column } = positionAt(bytes, offset);
  return `${line}:${column}`;
}

/** OpenSIPS: numbers echo as a saturated 32-bit integer, strings as sent, null as null. */
function opensipsId(node: JNode | undefined): IdEcho | "bad" {
  if (node === undefined) return ABSENT;
  if (node.type === "null") return { kind: "value", value: null };
  if (node.type === "number") return { kind: "value", value: cValueInt(node.value) };
  if (node.type === "string") return { kind: "value", value: node.bytes };
  return "bad";
}

/** Kamailio: strings echo as sent, anything else as its number (`true` 1, null/objects 0). */
function kamailioId(node: JNode | undefined): IdEcho {
  if (node === undefined) return ABSENT;
  if (node.type === "string") return { kind: "value", value: node.bytes };
  if (node.type === "number") return { kind: "value", value: node.value };
  return { kind: "value", value: node.type === "true" ? 1 : 0 };
}

function decodeOpensips(
  bytes: Uint8Array,
  lookup: (method: string) => MethodShape | undefined,
): Decoded {
  if (bytes.length === 0) return answer(null, "empty", "Empty request: no reply is sent");
  const cut = bytes.length > OPENSIPS_MAX_REQUEST;
  const input = cut ? bytes.subarray(0, OPENSIPS_MAX_REQUEST) : bytes;
  const read = readJson(input, "opensips");
  if (!read.ok) {
    return answer(
      rawBytes(RAW_PARSE_ERROR),
      cut ? "too-large" : "parse-error",
      `Cannot parse request at ${at(input, read.error.offset)}: ${read.error.message}`,
    );
  }
  const root = read.node;
  const problems: string[] = [];
  const idNode = getMember(root, "id")?.value;
  const id = opensipsId(idNode);
  if (id === "bad") problems.push("'id' must be a number, a string or null");
  const version = getMember(root, "jsonrpc")?.value;
  if (
    version?.type !== "string" || nodeText(version.bytes) !== "2.0" || version.bytes.length !== 3
  ) {
    problems.push(`'jsonrpc' must be the string "2.0"`);
  }
  const method = getMember(root, "method")?.value;
  if (method?.type !== "string") problems.push("'method' must be a string");
  const params = getMember(root, "params")?.value;
  if (params !== undefined && params.type !== "array" && params.type !== "object") {
    problems.push("'params' must be an array or an object");
  }
  if (root.type === "array") problems.unshift("batches are not supported");
  else if (root.type !== "object") problems.unshift("the request is not an object");
  if (problems.length > 0) {
    const message = `Invalid request: ${problems[0]}`;
    if (id === "bad") return answer(rawBytes(RAW_INTERNAL_ERROR), "invalid-request", message);
    const reply = envelope(
      "opensips",
      "error",
      errorObject(ERROR_DISPOSITIONS["invalid-request"].jsonrpc, "Invalid Request"),
      id.kind === "absent" ? { kind: "value", value: null } : id,
    );
    return answer(reply ?? rawBytes(RAW_INTERNAL_ERROR), "invalid-request", message);
  }
  const name = nodeText((method as JNode & { type: "string" }).bytes);
  const token: JsonRpcToken = { flavour: "opensips", id: id as IdEcho };
  const notification = (id as IdEcho).kind === "absent";
  if (lookup(name) === undefined) {
    const reply = notification ? null : envelope(
      "opensips",
      "error",
      errorObject(ERROR_DISPOSITIONS["method-not-found"].jsonrpc, "Method not found"),
      id as IdEcho,
    );
    return answer(reply, "method-not-found", `Method not found: "${name}"`, {
      kind: "method-not-found",
      method: name,
    });
  }
  const call: Call = { method: name, params: nodeParams(params), token };
  if (notification) call.notification = true;
  return { kind: "call", call };
}

function decodeKamailio(
  bytes: Uint8Array,
  lookup: (method: string) => MethodShape | undefined,
): Decoded {
  if (bytes.length === 0) return answer(null, "empty", "Empty request: no reply is sent");
  const cut = bytes.length > KAMAILIO_MAX_REQUEST;
  const input = cut ? bytes.subarray(0, KAMAILIO_MAX_REQUEST) : bytes;
  const read = readJson(input, "kamailio");
  if (!read.ok) {
    return answer(
      null,
      cut ? "too-large" : "parse-error",
      `Cannot parse request at ${at(input, read.error.offset)}: ${read.error.message}`,
    );
  }
  const root = read.node;
  const id = kamailioId(getMember(root, "id")?.value);
  const empty = (message: string) =>
    answer(envelope("kamailio", "result", new Members([]), id), "invalid-request", message);
  const version = getMember(root, "jsonrpc")?.value;
  if (version === undefined) {
    return empty(
      root.type === "array"
        ? "Invalid request: batches are not supported"
        : "Invalid request: no 'jsonrpc' member",
    );
  }
  // The real server crashes (SIGSEGV) on a 'jsonrpc' or 'method' that is not a string.
  if (version.type !== "string") {
    return answer(null, "invalid-request", "Invalid request: 'jsonrpc' is not a string");
  }
  if (nodeText(version.bytes) !== "2.0" || version.bytes.length !== 3) {
    return empty(`Invalid request: unsupported 'jsonrpc' version "${nodeText(version.bytes)}"`);
  }
  const method = getMember(root, "method")?.value;
  if (method === undefined) return empty("Invalid request: no 'method' member");
  if (method.type !== "string") {
    return answer(null, "invalid-request", "Invalid request: 'method' is not a string");
  }
  const name = nodeText(method.bytes);
  if (lookup(name) === undefined) {
    return answer(
      envelope("kamailio", "error", errorObject(500, "Method Not Found"), id),
      "method-not-found",
      `Method not found: "${name}"`,
      { kind: "method-not-found", method: name },
    );
  }
  const params = getMember(root, "params")?.value;
  if (params !== undefined && params.type !== "array" && params.type !== "object") {
    return empty("Invalid request: 'params' must be an array or an object");
  }
  const token: JsonRpcToken = { flavour: "kamailio", id };
  return { kind: "call", call: { method: name, params: nodeParams(params, true), token } };
}

/** Kamailio's error table: these codes always carry their own message. */
const KAMAILIO_TABLE: Record<number, string> = {
  [-32700]: "Parse Error",
  [-32600]: "Invalid Request",
  [-32601]: "Method Not Found",
  [-32602]: "Invalid Parameters",
  [-32603]: "Internal Error",
  [-32000]: "Execution Error",
};

function tokenOf(call: Call, flavour: "opensips" | "kamailio"): JsonRpcToken {
  const t = call.token as JsonRpcToken | undefined;
  if (t && typeof t === "object" && "id" in t) return t;
  return { flavour, id: ABSENT };
}

/**
 * The server half of the JSON-RPC dialect, byte for byte as OpenSIPS 3.6
 * `mi_datagram` or Kamailio 5.6 `jsonrpcs` (UNIX datagram / UDP) answer.
 *
 * OpenSIPS: compact replies, raw `400 Parse_error` for text that is not JSON,
 * -32600 for an invalid request (even a notification, with `"id":null`),
 * no reply to notifications otherwise, `500 Internal error` for a reply over
 * 65456 bytes or an `id` of another type. Kamailio: formatted replies, no
 * reply to malformed JSON, notifications answered without `id`, `{}` results
 * for requests it cannot run, `{"code":500,"message":"Method Not Found"}`.
 *
 * Numbers print as the servers' C printers do: whole numbers in the 32-bit
 * range as integers (a whole {@linkcode Double} too: the C libraries keep no
 * distinction), other numbers with `%f` (`1.500000`) or `%e`. Strings end at
 * their first NUL. `Uint8Array` values are written as strings, byte for byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createJsonRpcServerCodec } from "./create_json_rpc_server_codec.ts";
 * const codec = createJsonRpcServerCodec({ flavour: "opensips" });
 * const req = new TextEncoder().encode('{"jsonrpc":"2.0","method":"version","id":1}');
 * const d = codec.decode(req, () => ({ noInput: false }));
 * if (d.kind === "call") {
 *   const reply = codec.encodeResult(d.call, { Server: "OpenSIPS" });
 *   assert.equal(
 *     new TextDecoder().decode(reply!),
 *     '{"jsonrpc":"2.0","result":{"Server":"OpenSIPS"},"id":1}',
 *   );
 * }
 * ```
 */
export function createJsonRpcServerCodec(options: JsonRpcServerOptions): ServerCodec {
  const flavour = options.flavour;
  if (flavour !== "opensips" && flavour !== "kamailio") {
    throw new TypeError(`Unknown JSON-RPC flavour "${String(flavour)}"`);
  }
  const opensips = flavour === "opensips";
  return {
    dialect: "jsonrpc",
    flavour,
    maxRequest: opensips ? OPENSIPS_MAX_REQUEST : KAMAILIO_MAX_REQUEST,
    fifo: jsonRpcFifoFraming(flavour),
    http: jsonRpcHttp(flavour),
    decode(bytes, lookup) {
      return opensips ? decodeOpensips(bytes, lookup) : decodeKamailio(bytes, lookup);
    },
    encodeResult(call, result) {
      const token = tokenOf(call, flavour);
      if (opensips && token.id.kind === "absent") return null;
      const value: Value = isNativeResult(result)
        ? (result as NativeResult).value
        : result as Value;
      const reply = envelope(flavour, "result", value, token.id);
      return reply ?? rawBytes(RAW_INTERNAL_ERROR);
    },
    encodeFault(call, fault) {
      const token = tokenOf(call, flavour);
      if (opensips && token.id.kind === "absent") return null;
      const body = opensips ? opensipsFault(fault) : kamailioFault(fault);
      if (body === null) return opensips ? rawBytes(RAW_INTERNAL_ERROR) : null;
      return envelope(flavour, "error", body, token.id) ?? rawBytes(RAW_INTERNAL_ERROR);
    },
  };
}

function opensipsFault(fault: Fault): Members | null {
  switch (fault.kind) {
    case "method-not-found":
      return errorObject(ERROR_DISPOSITIONS["method-not-found"].jsonrpc, "Method not found");
    case "invalid-params":
      return errorObject(
        ERROR_DISPOSITIONS["invalid-params"].jsonrpc,
        "Invalid params",
        fault.detail,
      );
    case "command":
      return errorObject(fault.code, fault.message, fault.data);
    case "failed":
      return errorObject(
        ERROR_DISPOSITIONS.handler.jsonrpc,
        "Server error",
        "Command handler returned null",
      );
    case "busy":
    case "reply-too-large":
      return null;
  }
}

function kamailioFault(fault: Fault): Members | null {
  const rpc = kamailioRpcFault(fault);
  if (rpc === null) return null;
  const code = rpc.code === 0 ? -32000 : rpc.code;
  return errorObject(code, KAMAILIO_TABLE[code] ?? (rpc.message || "Unexpected Error"));
}
