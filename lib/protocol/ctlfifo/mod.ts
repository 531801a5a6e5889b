/**
 * The old Kamailio FIFO protocol of the `ctl` module (`modparam("ctl",
 * "fifo", …)`), over a FIFO, UDP or TCP: pure reading and writing of
 * requests and replies, and the dialect's two codecs.
 *
 * A request is `:METHOD:REPLY_NAME`, one parameter per line, and an empty
 * line; a reply is a status line `CODE REASON` and one value per line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCtlFifoReply, writeCtlFifoRequest } from "./mod.ts";
 * assert.equal(new TextDecoder().decode(writeCtlFifoRequest("core.version", [], "r")), ":core.version:r\n\n");
 * assert.equal(readCtlFifoReply(new TextEncoder().encode("200 OK\nx\n")).code, 200);
 * ```
 *
 * @module
 */
export * from "./limits.ts";
export * from "./frame.ts";
export * from "./read_request.ts";
export * from "./write_request.ts";
export * from "./read_reply.ts";
export * from "./write_reply.ts";
export * from "./create_ctlfifo_server_codec.ts";
export * from "./create_ctlfifo_client_codec.ts";
export { CTLFIFO_FIFO, withCtlFifoReplyName } from "./carriage.ts";
export * from "./analyze_request.ts";
