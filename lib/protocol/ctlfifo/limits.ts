/**
 * The sizes Kamailio 5.6's `ctl` module works with in its old FIFO protocol
 * (`fifo_server.c`, `io_listener.c`).
 *
 * @module
 */

/** Largest request read: ctl's buffer (a stream holding more without an end is dropped). */
export const MAX_REQUEST = 65535;

/** Shortest request ctl processes (`min fifo request`): fewer bytes wait for more. */
export const MIN_REQUEST = 6;

/** Longest reason phrase ctl writes (`REASON_BUF_LEN` less its NUL). */
export const MAX_REASON = 1023;

/** ctl writes a reply with one `writev` of at most this many pieces; a longer reply is not sent. */
export const MAX_REPLY_PIECES = 1024;
