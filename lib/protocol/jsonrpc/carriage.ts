/**
 * How JSON-RPC travels through FIFOs and over HTTP, per flavour: the framing
 * of OpenSIPS `mi_fifo` (`:REPLY_NAME:JSON`) and Kamailio `jsonrpcs`
 * (`"reply_name"` inside the object), and the HTTP status each server gives
 * a reply. The FIFO and HTTP transports apply these without knowing the dialect.
 *
 * @module
 */
import type { FifoFraming, HttpCarriage, HttpStatus } from "../dialect.ts";
import { kamailioRpcFault } from "./_kamailio_fault.ts";
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

const HTTP_OK: HttpStatus = { code: 200, reason: "OK" };

/** OpenSIPS's `mi_http` answers every reply with 200, errors too. */
const OPENSIPS_HTTP: HttpCarriage = {
  contentType: "application/json",
  status: () => HTTP_OK,
};

/** The bytes of Kamailio's reason buffer (`vsnprintf` into 128 bytes). */
const KAMAILIO_REASON_MAX = 127;

/**
 * A reason phrase an HTTP status line can carry: printable ASCII (any other
 * character becomes `?`), at most Kamailio's 127.
 */
function reasonPhrase(message: string): string {
  return message.replace(/[^\t\x20-\x7e]/g, "?").slice(0, KAMAILIO_REASON_MAX);
}

/**
 * Kamailio's `xhttp` answers a fault with the status its handler faulted
 * with, and its message as the reason (`500 Method Not Found`, `400 command
 * not found`, `500 No such htable`); a code no HTTP status can be is 500.
 */
const KAMAILIO_HTTP: HttpCarriage = {
  contentType: "application/json",
  status(fault) {
    const rpc = fault === null ? null : kamailioRpcFault(fault);
    if (rpc === null) return fault === null ? HTTP_OK : { code: 500 };
    const code = Number.isInteger(rpc.code) && rpc.code >= 100 && rpc.code <= 599 ? rpc.code : 500;
    const reason = reasonPhrase(rpc.message);
    return reason === "" ? { code } : { code, reason };
  },
};

/**
 * How a JSON-RPC flavour's server answers over HTTP; the client side needs
 * only the media type, the same for both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonRpcHttp } from "./carriage.ts";
 * const notFound = { kind: "method-not-found", method: "nosuch" } as const;
 * assert.deepEqual(jsonRpcHttp("kamailio").status(notFound), { code: 500, reason: "Method Not Found" });
 * assert.deepEqual(jsonRpcHttp("kamailio").status(null), { code: 200, reason: "OK" });
 * assert.equal(jsonRpcHttp("opensips").status(notFound).code, 200);
 * ```
 */
export function jsonRpcHttp(flavour?: string): HttpCarriage {
  return flavour === "kamailio" ? KAMAILIO_HTTP : OPENSIPS_HTTP;
}
