/**
 * A fault as a Kamailio RPC handler reports it (`rpc->fault(ctx, code,
 * message)`): the one step that both the JSON error object of `jsonrpcs` and
 * the HTTP status line of `xhttp` are made from.
 *
 * @module
 */
import type { Fault } from "../dialect.ts";

/** The code and message a Kamailio handler faults with; `null` for no reply. */
export function kamailioRpcFault(fault: Fault): { code: number; message: string } | null {
  switch (fault.kind) {
    case "method-not-found":
      return { code: 500, message: "Method Not Found" };
    case "invalid-params":
      return { code: 500, message: fault.detail };
    case "command":
      return { code: fault.code, message: fault.message };
    case "failed":
      return { code: 500, message: fault.message };
    case "busy":
      return { code: 500, message: "Server busy" };
    case "reply-too-large":
      return null;
  }
}
