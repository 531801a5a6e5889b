/**
 * Which server a target is, as far as metrics go: OpenSIPS 2.4 (text MI),
 * OpenSIPS 3 (JSON-RPC) or Kamailio (binrpc, or `jsonrpcs`). Each kind
 * has its own statistics commands and reply layouts.
 *
 * @module
 */
import type { DialectName } from "../protocol/dialect.ts";
import { familyOf, peerOf, type ServerFamily } from "../protocol/peer.ts";
import type { Flavour } from "../socket_spec.ts";

/** The kinds of server a target can be: the server families. */
export type ServerKind = ServerFamily;

/**
 * The kind of server that speaks a dialect (JSON-RPC: by its flavour,
 * OpenSIPS when not known).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverKindOf } from "./server_kind.ts";
 * assert.equal(serverKindOf("binrpc"), "kamailio");
 * assert.equal(serverKindOf("jsonrpc", "kamailio"), "kamailio");
 * ```
 */
export function serverKindOf(dialect: DialectName, flavour?: Flavour): ServerKind {
  return peerOf(dialect, flavour).family;
}

/** The metric name prefix of a kind: `opensips` or `kamailio`. */
export function prefixOf(kind: ServerKind): Flavour {
  return familyOf(kind).flavour;
}
