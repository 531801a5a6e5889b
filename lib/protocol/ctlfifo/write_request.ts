import { MidgramError } from "../../errors.ts";
import { Double, isStruct, type Struct, structEntries, type Value } from "../value.ts";
import { _escape, REQUEST_STRUCT } from "./_escape.ts";
import { MIN_REQUEST } from "./limits.ts";

const encoder = new TextEncoder();

function unrepresentable(method: string, why: string): never {
  throw new MidgramError("unrepresentable", `Cannot send "${method}" over ctlfifo: ${why}`);
}

function scalarText(method: string, value: Value): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value instanceof Double) return String(value.value);
  if (typeof value === "boolean") return value ? "1" : "0";
  return unrepresentable(
    method,
    `a parameter of type ${
      value === null ? "null" : Array.isArray(value) ? "array" : "bytes"
    } has no text form`,
  );
}

function structLine(method: string, value: Struct): string {
  return structEntries(value).map(([name, member]) => {
    if (isStruct(member) || Array.isArray(member)) {
      unrepresentable(method, `struct member "${name}" holds a struct or array`);
    }
    return `${_escape(name, REQUEST_STRUCT)}:${
      _escape(scalarText(method, member), REQUEST_STRUCT)
    }`;
  }).join(",");
}

/**
 * Writes a request of ctl's FIFO protocol: `:METHOD:REPLY_NAME`, one
 * escaped parameter per line, an empty line. Strings, numbers and booleans
 * (`1`/`0`) are one line each; a struct is one `name:value,…` line (ctl's
 * `{` parameters).
 *
 * @param replyName The reply FIFO's bare name; `""` on UDP and TCP, where the reply comes back on the socket.
 * @throws {MidgramError} `unrepresentable`: a method with `:`, a line end
 *   or a NUL; an empty method; an empty parameter (its empty line would end
 *   the request); null, arrays, bytes, nested structs; a request of fewer
 *   than 6 bytes (a one-letter method alone), which ctl never reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeCtlFifoRequest } from "./write_request.ts";
 * const bytes = writeCtlFifoRequest("core.echo", ["a\nb", 2], "");
 * assert.equal(new TextDecoder().decode(bytes), ":core.echo:\na\\nb\n2\n\n");
 * ```
 */
export function writeCtlFifoRequest(
  method: string,
  values: readonly Value[],
  replyName: string,
): Uint8Array {
  if (method === "" || /[:\n\r\0]/.test(method)) {
    unrepresentable(method, "a method name must be non-empty, without ':', line ends or NUL");
  }
  let text = `:${method}:${replyName}\n`;
  for (const value of values) {
    const line = isStruct(value)
      ? structLine(method, value)
      : _escape(scalarText(method, value), null);
    if (line === "") unrepresentable(method, "an empty parameter would end the request");
    text += `${line}\n`;
  }
  const request = encoder.encode(`${text}\n`);
  if (request.length < MIN_REQUEST) {
    unrepresentable(
      method,
      `the request is ${request.length} bytes and ctl waits for ${MIN_REQUEST}: give a reply name or a parameter`,
    );
  }
  return request;
}
