// Wire constants of binrpc (Kamailio `ctl`), shared by the readers and writers.

/** First header byte: magic 0xA, version 1. */
export const _MAGIC_BYTE = 0xa1;

/** Packet types (high nibble of the second header byte). */
export const _PKT_REQUEST = 0;
export const _PKT_REPLY = 1;
export const _PKT_FAULT = 3;

/** Record types (low nibble of the record byte). */
export const _T_INT = 0;
export const _T_STR = 1;
export const _T_DOUBLE = 2;
export const _T_STRUCT = 3;
export const _T_ARRAY = 4;
export const _T_AVP = 5;
export const _T_BYTES = 6;

/** Largest packet `ctl` reads: its receive buffers hold 65535 bytes. */
export const _MAX_PACKET = 65535;

/** Kamailio's `binrpc_error()` texts, by error number. */
export const _ERR_OVERFLOW = "buffer too small (overflow)";
export const _ERR_BADPKT = "corrupted packet";
export const _ERR_MORE_DATA = "more data needed";
export const _ERR_EOP = "end of packet encountered";
export const _ERR_TYPE = "record doesn't match type";
export const _ERR_RECORD = "bad record";
