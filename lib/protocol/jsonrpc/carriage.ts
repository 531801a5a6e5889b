/**
 * How JSON-RPC travels through FIFOs and over HTTP, per flavour: the framing
 * of OpenSIPS `mi_fifo` (`:REPLY_NAME:JSON`) and Kamailio `jsonrpcs`
 * (`"reply_name"` inside the object), and the HTTP status each server gives
 * a reply. The FIFO and HTTP transports apply these without knowing the dialect.
 *
 * @module
 */
import type { FifoFraming, HttpCarriage } from "../dialect.ts";
import { servedReplyNameProblem } from "./_fifo_names.ts";
import { createFifoRequestReader } from "./fifo_request_reader.ts";
import { writeKamailioFifoRequest } from "./write_kamailio_fifo_request.ts";
import { writeOpensipsFifoRequest } from "./write_opensips_fifo_request.ts";

const OPENSIPS_FIFO: FifoFraming = {
  reader: (replyDir) => createFifoRequestReader("opensips", { replyDir }),
  request: (request, replyName) => writeOpensipsFifoRequest(replyName, request),
  replyNameProblem: servedReplyNameProblem,
};

const KAMAILIO_FIFO: FifoFraming = {
  reader: (replyDir) => createFifoRequestReader("kamailio", { replyDir }),
  request: (request, replyName) => writeKamailioFifoRequest(request, replyName),
  replyNameProblem: servedReplyNameProblem,
};

/**
 * The FIFO framing of a JSON-RPC flavour: Kamailio's for `kamailio`,
 * OpenSIPS's for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonRpcFifoFraming } from "./carriage.ts";
 * const json = new TextEncoder().encode('{"jsonrpc":"2.0","method":"uptime","id":1}');
 * assert.equal(
 *   new TextDecoder().decode(jsonRpcFifoFraming("opensips").request(json, "r1")),
 *   ':r1:{"jsonrpc":"2.0","method":"uptime","id":1}\n',
 * );
 * ```
 */
export function jsonRpcFifoFraming(flavour?: string): FifoFraming {
  return flavour === "kamailio" ? KAMAILIO_FIFO : OPENSIPS_FIFO;
}

const decoder = new TextDecoder();

/** OpenSIPS's `mi_http` answers every reply with 200. */
const OPENSIPS_HTTP: HttpCarriage = { contentType: "application/json", status: () => 200 };

/** Kamailio's `xhttp` answers an error object with 500. */
const KAMAILIO_HTTP: HttpCarriage = {
  contentType: "application/json",
  status: (reply) => /"error"\s*:/.test(decoder.decode(reply.subarray(0, 200))) ? 500 : 200,
};

/**
 * How a JSON-RPC flavour's server answers over HTTP; the client side needs
 * only the media type, the same for both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonRpcHttp } from "./carriage.ts";
 * const body = new TextEncoder().encode('{"jsonrpc":"2.0","error":{}}');
 * assert.equal(jsonRpcHttp("kamailio").status(body), 500);
 * ```
 */
export function jsonRpcHttp(flavour?: string): HttpCarriage {
  return flavour === "kamailio" ? KAMAILIO_HTTP : OPENSIPS_HTTP;
}
