/**
 * The table of dialects: which codec serves and which asks in each. A new
 * dialect is a folder under `lib/protocol/` and a line here.
 *
 * @module
 */
import type { ClientCodec, DialectName, ServerCodec } from "./dialect.ts";
import { createMiClientCodec, createMiServerCodec } from "./mi/codec.ts";
import { createBinRpcClientCodec } from "./binrpc/create_binrpc_client_codec.ts";
import { createBinRpcServerCodec } from "./binrpc/create_binrpc_server_codec.ts";
import { createJsonRpcClientCodec } from "./jsonrpc/create_json_rpc_client_codec.ts";
import { createJsonRpcServerCodec } from "./jsonrpc/create_json_rpc_server_codec.ts";
import { createCtlFifoClientCodec } from "./ctlfifo/create_ctlfifo_client_codec.ts";
import { createCtlFifoServerCodec } from "./ctlfifo/create_ctlfifo_server_codec.ts";

/** Options for making a codec. */
export interface CodecOptions {
  /** `opensips` or `kamailio` (JSON-RPC); ignored by dialects with one flavour. */
  flavour?: string;
  /** Text MI: the reply indent string; default TAB. */
  indent?: string;
  /** Told of what the server counts: `replies_200`, `unrepresentable_replies`, `oversized_replies`. */
  count?: (counter: string) => void;
}

/** The dialect names, in the order `--help` lists them. */
export const DIALECTS: readonly DialectName[] = ["mi", "jsonrpc", "binrpc", "ctlfifo"];

/**
 * The server codec of a dialect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverCodec } from "./dialects.ts";
 * assert.equal(serverCodec("mi").dialect, "mi");
 * ```
 */
export function serverCodec(dialect: DialectName, options: CodecOptions = {}): ServerCodec {
  switch (dialect) {
    case "mi":
      return createMiServerCodec({ indent: options.indent, count: options.count });
    case "binrpc":
      return createBinRpcServerCodec();
    case "jsonrpc":
      return createJsonRpcServerCodec({
        flavour: options.flavour === "kamailio" ? "kamailio" : "opensips",
      });
    case "ctlfifo":
      return createCtlFifoServerCodec({ count: options.count });
  }
}

/**
 * The client codec of a dialect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCodec } from "./dialects.ts";
 * assert.equal(clientCodec("mi").dialect, "mi");
 * ```
 */
export function clientCodec(dialect: DialectName, options: CodecOptions = {}): ClientCodec {
  switch (dialect) {
    case "mi":
      return createMiClientCodec({ indent: options.indent });
    case "binrpc":
      return createBinRpcClientCodec();
    case "jsonrpc":
      return createJsonRpcClientCodec();
    case "ctlfifo":
      return createCtlFifoClientCodec();
  }
}
