/**
 * Size limits of the MI datagram protocol.
 *
 * @module
 */

/**
 * Largest request or reply, in bytes, that OpenSIPS and Kamailio accept on
 * their `mi_datagram` sockets (`DATAGRAM_SOCK_BUF_SIZE`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_DATAGRAM_SIZE } from "./limits.ts";
 * assert.equal(MAX_DATAGRAM_SIZE, 65457);
 * ```
 */
export const MAX_DATAGRAM_SIZE = 65457;

/**
 * A request this close to {@linkcode MAX_DATAGRAM_SIZE} (90 %) earns a lint
 * warning: one more argument, or a longer value, would cross the limit.
 */
export const NEAR_LIMIT_SIZE: number = Math.floor(MAX_DATAGRAM_SIZE * 0.9);
