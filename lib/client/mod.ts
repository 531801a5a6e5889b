/**
 * The MI datagram client.
 *
 * @example
 * ```ts
 * import { sendRequest } from "./mod.ts";
 * const { text } = await sendRequest({ kind: "udp", host: "127.0.0.1", port: 8080 }, {
 *   command: "version",
 *   args: [],
 * });
 * ```
 *
 * @module
 */
export { type ClientReply, type RequestOptions, sendRequest } from "./request.ts";
