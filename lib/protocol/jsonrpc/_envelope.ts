/**
 * The reply envelopes both servers write, and the id they echo.
 *
 * @module
 */
import { printJson } from "./_print.ts";
import type { Flavour } from "./_c_number.ts";
import { Members, type Value } from "../value.ts";

/** What the server echoes as `id`: nothing, or a value. */
export type IdEcho = { kind: "absent" } | { kind: "value"; value: Value };

/** The opaque token the server codec puts in a `Call`. */
export interface JsonRpcToken {
  readonly flavour: Flavour;
  readonly id: IdEcho;
}

/** OpenSIPS `mi_datagram`: the reply buffer, its NUL included (replies are at most 65456 bytes). */
export const OPENSIPS_REPLY_BUFFER = 65457;
/** OpenSIPS `mi_datagram`: the raw reply to text that is not JSON. */
export const RAW_PARSE_ERROR = "400 Parse_error";
/** OpenSIPS `mi_datagram`: the raw reply when no JSON reply can be written. */
export const RAW_INTERNAL_ERROR = "500 Internal error";

const encoder = new TextEncoder();

/** The raw-text replies as bytes. */
export const rawBytes = (text: string): Uint8Array => encoder.encode(text);

/**
 * Writes `{"jsonrpc":"2.0",KEY:BODY[,"id":ID]}` in the flavour's layout
 * (OpenSIPS compact within its buffer, Kamailio formatted); `null` when it
 * does not fit.
 */
export function envelope(
  flavour: Flavour,
  key: "result" | "error",
  body: Value,
  id: IdEcho,
): Uint8Array | null {
  const entries: [string, Value][] = [["jsonrpc", "2.0"], [key, body]];
  if (id.kind === "value") entries.push(["id", id.value]);
  return printJson(new Members(entries), {
    flavour,
    pretty: flavour === "kamailio",
    limit: flavour === "opensips" ? OPENSIPS_REPLY_BUFFER : null,
  });
}

/** An error object `{code,message[,data]}`. */
export function errorObject(code: number, message: string, data?: Value): Members {
  const entries: [string, Value][] = [["code", code], ["message", message]];
  if (data !== undefined) entries.push(["data", data]);
  return new Members(entries);
}
