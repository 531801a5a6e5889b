/** The three kinds of binrpc packet. */
export type BinRpcPacketType = "request" | "reply" | "fault";

/** One packet as read by `readPacket()` or given to `writePacket()`. */
export interface BinRpcPacket {
  type: BinRpcPacketType;
  /** The cookie, an unsigned 32-bit number. */
  cookie: number;
  /** The body (records), header excluded. */
  body: Uint8Array;
}
