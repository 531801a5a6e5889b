/**
 * The codec halves of each dialect, as the peer that speaks it makes them
 * ({@linkcode peerOf} in `peer.ts`, the one table of dialects and servers:
 * a new dialect is a folder under `lib/protocol/` and a line there).
 *
 * @module
 */
import type { ClientCodec, DialectName, ServerCodec } from "./dialect.ts";
import { peerOf } from "./peer.ts";

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
 * The server codec of a dialect (JSON-RPC: of `options.flavour`, OpenSIPS
 * when not given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverCodec } from "./dialects.ts";
 * assert.equal(serverCodec("mi").dialect, "mi");
 * ```
 */
export function serverCodec(dialect: DialectName, options: CodecOptions = {}): ServerCodec {
  return peerOf(dialect, options.flavour).serverCodec(options);
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
  return peerOf(dialect, options.flavour).clientCodec(options);
}
