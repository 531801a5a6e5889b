import { jsonRpcFifoFraming, jsonRpcHttp } from "./carriage.ts";
import { MidgramError } from "../../errors.ts";
import type { ClientCodec, ReplyOutcome } from "../dialect.ts";
import { Members, type Params, type Value } from "../value.ts";
import { getMember, type JNode, readJson } from "./_cjson.ts";
import { writeString, writeValue } from "./_encode.ts";
import { nodeText, nodeValue } from "./_value.ts";

/** Largest request sent: Kamailio's datagram buffer (OpenSIPS reads one byte more). */
export const CLIENT_MAX_REQUEST = 65456;
/** A reply this long filled the servers' reply buffer: if it does not parse, it was cut. */
export const FULL_REPLY = 65456;

let counter = 0;

function randomPart(): string {
  const b = new Uint8Array(6);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function plainOrMembers(node: JNode): Value {
  // Objects become plain records unless order would be lost (duplicate or
  // integer-like names): then Members.
  if (node.type === "array") return node.items.map(plainOrMembers);
  if (node.type !== "object") return nodeValue(node);
  const names = node.members.map((m) => nodeText(m.key));
  const keepOrder = new Set(names).size !== names.length ||
    names.some((n) => /^(0|[1-9]\d*)$/.test(n) || n === "__proto__");
  const entries = node.members.map((m, i) => [names[i], plainOrMembers(m.value)] as const);
  if (keepOrder) return new Members(entries);
  const record: Record<string, Value> = {};
  for (const [n, v] of entries) record[n] = v;
  return record;
}

const utf8 = new TextDecoder("utf-8");

/**
 * The client half of the JSON-RPC dialect, for OpenSIPS 3.x and Kamailio
 * `jsonrpcs` alike.
 *
 * Ids are strings, `midgram-<12 random hex>-<counter>`, unique per process
 * and run, echoed as sent by both servers. Parameters are sent as an array
 * (positional) or object (named); no parameters as `"params":[]`, which both
 * servers treat as none (OpenSIPS counts an empty array or object as absent,
 * Kamailio runs the method with no parameters).
 *
 * Replies: the raw `400 Parse_error` / `500 Internal error` texts of
 * OpenSIPS become errors; formatted (Kamailio) and compact replies are read
 * alike; a reply without `id`, or with `id` null or 0 (Kamailio's echo of
 * what it could not read, OpenSIPS's -32600) is taken as this request's,
 * any other id not ours is `foreign`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createJsonRpcClientCodec } from "./create_json_rpc_client_codec.ts";
 * const codec = createJsonRpcClientCodec();
 * const id = codec.newToken();
 * codec.encodeRequest("version", { kind: "positional", values: [] }, id);
 * const reply = new TextEncoder().encode(`{"jsonrpc":"2.0","result":{"Server":"x"},"id":"${id}"}`);
 * const outcome = codec.decodeReply(reply, id);
 * assert.equal(outcome.kind, "result");
 * assert.equal(outcome.kind === "result" && JSON.stringify(outcome.value), '{"Server":"x"}');
 * ```
 */
export function createJsonRpcClientCodec(): ClientCodec {
  const prefix = `midgram-${randomPart()}-`;
  return {
    dialect: "jsonrpc",
    fifo: jsonRpcFifoFraming,
    http: jsonRpcHttp(),
    maxRequest: CLIENT_MAX_REQUEST,
    newToken() {
      counter++;
      return `${prefix}${counter}`;
    },
    encodeRequest(method: string, params: Params, token: unknown): Uint8Array {
      const out: number[] = [];
      const text = (s: string) => {
        for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
      };
      text(`{"jsonrpc":"2.0","method":`);
      writeString(out, method, "the method name");
      text(`,"params":`);
      if (params.kind === "named") writeValue(out, params.values, "the parameters");
      else writeValue(out, params.values, "the parameters");
      text(`,"id":`);
      if (typeof token === "string") writeString(out, token, "the id");
      else if (typeof token === "number" && Number.isInteger(token)) text(String(token));
      else throw new TypeError("A JSON-RPC token must be a string or an integer");
      text("}");
      if (out.length > CLIENT_MAX_REQUEST) {
        throw new MidgramError(
          "request-too-large",
          `Request too large: "${out.length}" bytes, the servers read at most ${CLIENT_MAX_REQUEST}`,
        );
      }
      return Uint8Array.from(out);
    },
    tokenOf(request: Uint8Array): unknown {
      try {
        const id = (JSON.parse(new TextDecoder().decode(request)) as { id?: unknown }).id;
        return typeof id === "string" || (typeof id === "number" && Number.isInteger(id))
          ? id
          : undefined;
      } catch {
        return undefined;
      }
    },
    decodeReply(bytes: Uint8Array, token: unknown): ReplyOutcome {
      const raw = /^([0-9]{3}) ([^\r\n]*)\r?\n?$/.exec(utf8.decode(bytes.subarray(0, 512)));
      if (raw && bytes.length < 512) {
        return { kind: "error", code: Number(raw[1]), message: raw[2] };
      }
      const read = readJson(bytes, "opensips");
      const cutMessage = `Reply cut at ${bytes.length} bytes: it fills the server's reply buffer`;
      if (!read.ok) {
        if (bytes.length >= FULL_REPLY) throw new MidgramError("truncated-reply", cutMessage);
        throw new MidgramError(
          "reply-syntax",
          `Cannot parse reply: ${read.error.message} at byte ${read.error.offset}`,
        );
      }
      let rest = read.end;
      while (rest < bytes.length && bytes[rest] <= 32 && bytes[rest] !== 0) rest++;
      if (rest < bytes.length) {
        throw new MidgramError(
          "reply-syntax",
          `Cannot parse reply: unexpected text after the JSON value at byte ${rest}`,
        );
      }
      const root = read.node;
      if (root.type === "string" && bytes.length >= FULL_REPLY) {
        throw new MidgramError("truncated-reply", cutMessage);
      }
      if (root.type !== "object") {
        throw new MidgramError("reply-syntax", "Cannot parse reply: not a JSON object");
      }
      const id = getMember(root, "id")?.value;
      if (token !== undefined && id !== undefined && !sameId(id, token) && !unidentified(id)) {
        return { kind: "foreign" };
      }
      const error = getMember(root, "error")?.value;
      if (error !== undefined) {
        const code = getMember(error, "code")?.value;
        const message = getMember(error, "message")?.value;
        if (code?.type !== "number" || (message !== undefined && message.type !== "string")) {
          throw new MidgramError(
            "reply-syntax",
            "Cannot parse reply: the error has no numeric 'code' or a bad 'message'",
          );
        }
        const data = getMember(error, "data")?.value;
        const outcome: ReplyOutcome = {
          kind: "error",
          code: code.value,
          message: message?.type === "string" ? nodeText(message.bytes) : "",
        };
        if (data !== undefined) outcome.data = plainOrMembers(data);
        return outcome;
      }
      const result = getMember(root, "result")?.value;
      if (result === undefined) {
        throw new MidgramError("reply-syntax", "Cannot parse reply: neither 'result' nor 'error'");
      }
      return { kind: "result", value: plainOrMembers(result) };
    },
  };
}

function sameId(node: JNode, token: unknown): boolean {
  if (node.type === "string") return typeof token === "string" && nodeText(node.bytes) === token;
  if (node.type === "number") return typeof token === "number" && node.value === token;
  return false;
}

/** `null` (OpenSIPS's answer to an unreadable request) or 0 (Kamailio's echo of one). */
function unidentified(node: JNode): boolean {
  return node.type === "null" || (node.type === "number" && node.value === 0);
}
