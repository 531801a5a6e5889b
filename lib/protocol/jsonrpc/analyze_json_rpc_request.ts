import { invalidUtf8Offset } from "../../bytes.ts";
import { positionAt } from "../_bytes.ts";
import type { Params, Value } from "../value.ts";
import { getMember, type JMember, type JNode, readJson } from "./_cjson.ts";
import { nodeParams, nodeText, nodeValue } from "./_value.ts";
import { KAMAILIO_MAX_REQUEST, OPENSIPS_MAX_REQUEST } from "./create_json_rpc_server_codec.ts";
import { kamailioIdHazard } from "./kamailio_id_hazard.ts";

/** Every diagnostic code of {@linkcode analyzeJsonRpcRequest}. */
export type JsonRpcDiagnosticCode =
  | "empty-request"
  | "request-too-large"
  | "parse-error"
  | "not-an-object"
  | "batch"
  | "invalid-jsonrpc"
  | "invalid-method"
  | "invalid-params"
  | "invalid-id"
  | "notification"
  | "trailing-bytes"
  | "nul-byte"
  | "member-name-case"
  | "duplicate-member"
  | "id-changed"
  | "non-standard-number"
  | "invalid-utf8"
  | "near-size-limit";

/** One problem, positioned as the MI validator's diagnostics are. */
export interface JsonRpcDiagnostic {
  code: JsonRpcDiagnosticCode;
  severity: "error" | "warning";
  message: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, in code points. */
  column: number;
  /** 0-based byte offset. */
  offset: number;
}

/** The call a valid request makes. */
export interface JsonRpcCallInfo {
  method: string;
  params: Params;
  /** The `id` as sent; absent for a notification. */
  id?: Value;
  notification: boolean;
}

/** What {@linkcode analyzeJsonRpcRequest} found. */
export interface JsonRpcAnalysis {
  /** The call, when the server would run one (no errors). */
  call?: JsonRpcCallInfo;
  errors: JsonRpcDiagnostic[];
  warnings: JsonRpcDiagnostic[];
}

/** Options of {@linkcode analyzeJsonRpcRequest}. */
export interface AnalyzeJsonRpcOptions {
  flavour: "opensips" | "kamailio";
}

const STANDARD_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Checks a JSON-RPC request file for `midgram parse`: what the chosen server
 * would refuse (OpenSIPS: raw `400 Parse_error`, -32600, or a raw `500` for
 * an `id` of another type; Kamailio: no reply, a `{}` result, or a crash) is
 * an error with its line and column; what it accepts but may surprise
 * (a notification, trailing bytes, names in another case, duplicates, an
 * `id` it will change) is a warning.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeJsonRpcRequest } from "./analyze_json_rpc_request.ts";
 * const bytes = new TextEncoder().encode('{"jsonrpc":"2.0",\n "method":5,"id":1}');
 * const { errors } = analyzeJsonRpcRequest(bytes, { flavour: "opensips" });
 * assert.deepEqual([errors[0].code, errors[0].line, errors[0].column], ["invalid-method", 2, 11]);
 * ```
 */
export function analyzeJsonRpcRequest(
  bytes: Uint8Array,
  options: AnalyzeJsonRpcOptions,
): JsonRpcAnalysis {
  const flavour = options.flavour;
  const opensips = flavour === "opensips";
  const errors: JsonRpcDiagnostic[] = [];
  const warnings: JsonRpcDiagnostic[] = [];
  const add = (
    severity: "error" | "warning",
    code: JsonRpcDiagnosticCode,
    offset: number,
    message: string,
  ) => {
    const { line, column } = positionAt(bytes, offset);
    (severity === "error" ? errors : warnings).push({
      code,
      severity,
      message,
      line,
      column,
      offset,
    });
  };
  const max = opensips ? OPENSIPS_MAX_REQUEST : KAMAILIO_MAX_REQUEST;
  if (bytes.length === 0) {
    add("error", "empty-request", 0, "Empty request: the server sends no reply");
    return { errors, warnings };
  }
  if (bytes.length > max) {
    add(
      "error",
      "request-too-large",
      max,
      `Request too large: the server reads ${max} bytes and cuts the rest`,
    );
  } else if (bytes.length > max * 0.9) {
    add("warning", "near-size-limit", 0, `Request close to the ${max}-byte limit`);
  }
  const input = bytes.subarray(0, Math.min(bytes.length, max));
  const bad = invalidUtf8Offset(input, 0, input.length);
  if (bad >= 0) add("warning", "invalid-utf8", bad, "Bytes that are not UTF-8");
  const read = readJson(input, flavour);
  if (!read.ok) {
    add(
      "error",
      "parse-error",
      read.error.offset,
      `Cannot parse request: ${read.error.message}${
        opensips ? " (the reply is '400 Parse_error')" : " (no reply)"
      }`,
    );
    return { errors, warnings };
  }
  const root = read.node;
  const nul = input.indexOf(0);
  if (nul >= 0 && nul >= read.end) {
    add("warning", "nul-byte", nul, "A NUL byte: the server ignores everything from it");
  }
  let after = read.end;
  while (after < input.length && input[after] <= 32 && input[after] !== 0) after++;
  if (after < input.length && input[after] !== 0) {
    add("warning", "trailing-bytes", after, "Text after the request is ignored by the server");
  }
  walkNumbers(
    root,
    (n) =>
      add(
        "warning",
        "non-standard-number",
        n.start,
        `Number "${n.type === "number" ? n.text : ""}" is not standard JSON`,
      ),
  );
  if (root.type === "array") {
    add(
      opensips ? "error" : "warning",
      "batch",
      root.start,
      opensips
        ? "Batch requests are not supported: the reply is one -32600 error"
        : "Batch requests are not supported: the reply is an empty result and nothing runs",
    );
    return { errors, warnings };
  }
  if (root.type !== "object") {
    add("error", "not-an-object", root.start, "The request must be a JSON object");
    return { errors, warnings };
  }
  checkMembers(root.members, add);
  const version = getMember(root, "jsonrpc");
  if (version === undefined) {
    add("error", "invalid-jsonrpc", root.start, "No 'jsonrpc' member: it must be \"2.0\"");
  } else if (version.value.type !== "string") {
    add(
      "error",
      "invalid-jsonrpc",
      version.value.start,
      opensips
        ? "'jsonrpc' must be the string \"2.0\""
        : "'jsonrpc' must be the string \"2.0\": Kamailio 5.6 crashes on anything else",
    );
  } else if (nodeText(version.value.bytes) !== "2.0") {
    add(
      "error",
      "invalid-jsonrpc",
      version.value.start,
      `'jsonrpc' must be "2.0", not "${nodeText(version.value.bytes)}"`,
    );
  }
  const method = getMember(root, "method");
  if (method === undefined) add("error", "invalid-method", root.start, "No 'method' member");
  else if (method.value.type !== "string") {
    add(
      "error",
      "invalid-method",
      method.value.start,
      opensips
        ? "'method' must be a string"
        : "'method' must be a string: Kamailio 5.6 crashes on anything else",
    );
  }
  const params = getMember(root, "params");
  if (params !== undefined && params.value.type !== "array" && params.value.type !== "object") {
    add("error", "invalid-params", params.value.start, "'params' must be an array or an object");
  }
  const id = getMember(root, "id");
  if (id === undefined) {
    add(
      "warning",
      "notification",
      root.start,
      opensips
        ? "No 'id': a notification gets no reply, not even an error"
        : "No 'id': Kamailio answers without an id",
    );
  } else {
    const t = id.value.type;
    if (t !== "null" && t !== "number" && t !== "string") {
      add(
        opensips ? "error" : "warning",
        "invalid-id",
        id.value.start,
        opensips
          ? "'id' must be a number, a string or null (the reply is '500 Internal error')"
          : `'id' should be a number, a string or null: Kamailio echoes it as ${
            t === "true" ? 1 : 0
          }`,
      );
    } else if (
      t === "number" && id.value.type === "number" && !opensips &&
      kamailioIdHazard(id.value.value) !== undefined
    ) {
      add("error", "invalid-id", id.value.start, kamailioIdHazard(id.value.value)!);
    } else if (
      t === "number" && id.value.type === "number" && opensips && !isInt32(id.value.value)
    ) {
      add("warning", "id-changed", id.value.start, "'id' is echoed as a 32-bit integer");
    } else if (t === "null" && !opensips) {
      add("warning", "id-changed", id.value.start, "'id' null is echoed as 0 by Kamailio");
    }
  }
  if (errors.length > 0 || method?.value.type !== "string") return { errors, warnings };
  const call: JsonRpcCallInfo = {
    method: nodeText(method.value.bytes),
    params: nodeParams(params?.value),
    notification: id === undefined,
  };
  if (id !== undefined) call.id = nodeValue(id.value);
  return { call, errors, warnings };
}

const isInt32 = (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;

const KNOWN = ["jsonrpc", "method", "params", "id"];

function checkMembers(
  members: JMember[],
  add: (s: "error" | "warning", c: JsonRpcDiagnosticCode, o: number, m: string) => void,
): void {
  const seen = new Set<string>();
  for (const m of members) {
    const name = nodeText(m.key);
    const lower = name.toLowerCase();
    if (KNOWN.includes(lower) && name !== lower) {
      add(
        "warning",
        "member-name-case",
        m.keyStart,
        `Member "${name}" is read as "${lower}": names are matched in any case`,
      );
    }
    if (seen.has(lower)) {
      add(
        "warning",
        "duplicate-member",
        m.keyStart,
        `Member "${name}" repeats an earlier one: the first wins`,
      );
    }
    seen.add(lower);
  }
}

function walkNumbers(node: JNode, report: (n: JNode) => void): void {
  if (node.type === "number" && !STANDARD_NUMBER.test(node.text)) report(node);
  else if (node.type === "array") node.items.forEach((i) => walkNumbers(i, report));
  else if (node.type === "object") node.members.forEach((m) => walkNumbers(m.value, report));
}
