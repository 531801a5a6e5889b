/**
 * The seam between the server/client and the wire: one small codec per
 * dialect (`mi`, `jsonrpc`, `binrpc`, `ctlfifo`), pure (no I/O). The server runs
 * decode → dispatch → encode and never parses; the client runs
 * encode → send → decode. A new dialect is a new folder under
 * `lib/protocol/` and a line in `lib/protocol/peer.ts`.
 *
 * @module
 */
import type { Params, Value } from "./value.ts";

/** The dialects. */
export type DialectName = "mi" | "jsonrpc" | "binrpc" | "ctlfifo";

/** Whose server a peer is, OpenSIPS or Kamailio: JSON-RPC's two flavours. */
export type Flavour = "opensips" | "kamailio";

/** What the server knows of a method when a codec asks (MI needs it before it parses). */
export interface MethodShape {
  /** The method takes no input: its parameters are never parsed (MI's `MI_NO_INPUT_FLAG`). */
  noInput: boolean;
}

/** A request the codec could read. */
export interface Call {
  /** The method (command) name, as sent. */
  method: string;
  params: Params;
  /**
   * What the encoder needs to answer this call (JSON-RPC id, binrpc cookie,
   * nothing for MI). Opaque to the server.
   */
  token: unknown;
  /** The caller wants no reply (a JSON-RPC notification). */
  notification?: boolean;
  /**
   * Text MI: the request's argument lines as written, which handlers in the
   * 2.4 layout read (`HandlerContext.args`); absent in the other dialects.
   */
  args?: TextArgument[];
}

/** One argument line of a text MI request: `name::value`, `name::`, `value`. */
export interface TextArgument {
  /** The text before `::`, or `null` when the line has no `::`. */
  name: string | null;
  /** The value; `null` only where the real parser builds a node without one. */
  value: string | null;
}

/**
 * Why a request was answered with an error. Each codec writes each kind in
 * its own wire form (the table `ERROR_DISPOSITIONS` in `lib/errors.ts`).
 */
export type Fault =
  /** No such method. */
  | { kind: "method-not-found"; method: string }
  /** The parameters do not fit the method (count, names, types). */
  | { kind: "invalid-params"; detail: string }
  /** The handler's own error: a code, a message and optional data (MI `404 Not found`, JSON-RPC `{code:400,…}`). */
  | { kind: "command"; code: number; message: string; data?: Value }
  /** The handler failed, threw, or ran out of time. */
  | { kind: "failed"; message: string }
  /** Too many requests waiting for a free handler. */
  | { kind: "busy" }
  /** The reply does not fit the dialect's size limit. */
  | { kind: "reply-too-large"; size: number; limit: number };

/** What decoding one request gave. */
export type Decoded =
  | { kind: "call"; call: Call }
  /**
   * The request cannot be read or is refused before any method runs: answer
   * with these bytes (`null`: send nothing), and count it under `reason`.
   */
  | {
    kind: "answer";
    reply: Uint8Array | null;
    reason: DecodeRefusal;
    message: string;
    /**
     * The error the reply carries, where a carriage tells it from a result
     * (the HTTP status of a JSON-RPC method-not-found); absent otherwise.
     */
    fault?: Fault;
  };

/** Why a request was answered without running a method. */
export type DecodeRefusal =
  | "empty"
  | "too-large"
  | "parse-error"
  | "invalid-request"
  | "method-not-found"
  | "unsupported";

/** A request read from a server FIFO. */
export interface FifoRequest {
  /** The reply FIFO's name; `null` when there is none (no reply is written). */
  replyName: string | null;
  /** The request, without its FIFO framing. */
  json: Uint8Array;
}

/** Bytes dropped from a server FIFO without a reply, and why. */
export interface FifoDrop {
  /** `too-large` for a request over the server's buffer, else `invalid`. */
  kind: "too-large" | "invalid";
  reason: string;
}

/** What one chunk of bytes read from a server FIFO completed. */
export interface FifoRead {
  requests: FifoRequest[];
  dropped: FifoDrop[];
}

/** Reads requests from the bytes a server FIFO gives, chunk after chunk. */
export interface FifoRequestReader {
  /** Takes the next bytes read from the FIFO; returns the requests they complete. Never throws. */
  push(chunk: Uint8Array): FifoRead;
  /** How many bytes are kept for the next chunk (part of a request). */
  readonly pending: number;
}

/**
 * How a dialect's requests travel through a FIFO (OpenSIPS `:name:` lines,
 * Kamailio's `"reply_name"` member): the dialect's own fact, which the FIFO
 * transport applies on both sides without knowing the dialect.
 */
export interface FifoFraming {
  /** A reader of a server FIFO's byte stream; each keeps its own state. */
  reader(replyDir: string): FifoRequestReader;
  /**
   * The bytes a client writes into the server FIFO for `request`, whose
   * reply goes to the reply FIFO `replyName`. Throws a `MidgramError`
   * (`unrepresentable`, `request-too-large`) for what the server cannot read.
   */
  request(request: Uint8Array, replyName: string): Uint8Array;
  /** Why a server refuses a reply name read from its FIFO, or `null` to answer it. */
  replyNameProblem(name: string, replyDir: string): string | null;
}

/** An HTTP status line. */
export interface HttpStatus {
  readonly code: number;
  /** The reason phrase (printable ASCII); absent: the usual one for the code. */
  readonly reason?: string;
}

/** How a dialect's exchanges travel over HTTP (`mi_http`, `xhttp`). */
export interface HttpCarriage {
  /** The media type of requests and replies. */
  readonly contentType: string;
  /**
   * A server's HTTP status for a reply that carries `fault`, as the server
   * encoded it (`null`: a result, or a reply with no error the server knows
   * of). Never reads the reply's bytes.
   */
  status(fault: Fault | null): HttpStatus;
}

/** The server's half of a dialect. */
export interface ServerCodec {
  readonly dialect: DialectName;
  /** The flavour served, e.g. `opensips` or `kamailio` for JSON-RPC. */
  readonly flavour: string;
  /** Largest request read, in bytes; longer ones are handled as the real server does. */
  readonly maxRequest: number;
  /**
   * For stream transports: the length of the first whole packet at the start
   * of `buffer`, or 0 when more bytes are needed. Throws a `MidgramError`
   * (`request-syntax`) when the bytes can never start a packet.
   * Absent for datagram-only dialects. `maxPacket` is the stream reader's
   * limit; a dialect may hold requests to a smaller one of its own.
   */
  frame?(buffer: Uint8Array, maxPacket?: number): number;
  /** For FIFOs: how requests are framed there. Absent for a dialect no FIFO carries. */
  readonly fifo?: FifoFraming;
  /** For HTTP: how exchanges are carried. Absent for a dialect HTTP does not carry. */
  readonly http?: HttpCarriage;
  /** Reads one request. Never throws for any input bytes. */
  decode(bytes: Uint8Array, lookup: (method: string) => MethodShape | undefined): Decoded;
  /** Writes a successful result; `null` for no reply. */
  encodeResult(call: Call, result: Value | NativeResult): Uint8Array | null;
  /** Writes an error; `null` for no reply. */
  encodeFault(call: Call, fault: Fault): Uint8Array | null;
}

/**
 * A result already in one dialect's own form (an MI reply tree written by a
 * built-in in the 2.4 layout). Its dialect's codec writes it as it is; any
 * other codec writes `value`.
 */
export interface NativeResult {
  readonly native: DialectName;
  readonly reply: unknown;
  readonly value: Value;
  /** For other dialects: answer this error instead of `value` (an MI error reply). */
  readonly fault?: Fault;
}

/** Whether a handler result is a {@linkcode NativeResult}. */
export function isNativeResult(result: unknown): result is NativeResult {
  return typeof result === "object" && result !== null && "native" in result &&
    "reply" in result && "value" in result;
}

/** What a reply said, as the client reads it. */
export type ReplyOutcome =
  | { kind: "result"; value: Value }
  /** An error object, a fault, or an MI error code. */
  | { kind: "error"; code: number; message: string; data?: Value }
  /** Not the answer to this request (another id or cookie): keep waiting. */
  | { kind: "foreign" };

/** The client's half of a dialect. */
export interface ClientCodec {
  readonly dialect: DialectName;
  /** Largest request that can be sent. */
  readonly maxRequest: number;
  /** A fresh token (JSON-RPC id, binrpc cookie) for one request. */
  newToken(): unknown;
  /**
   * The token of a request written elsewhere (a request file sent as it is):
   * its JSON-RPC id or binrpc cookie; `undefined` when it has none to read,
   * and then `decodeReply` takes any reply.
   */
  tokenOf?(request: Uint8Array): unknown;
  /** Writes a request. Throws `MidgramError` (`unrepresentable`, `request-too-large`). */
  encodeRequest(method: string, params: Params, token: unknown): Uint8Array;
  /**
   * Reads a reply. Throws `MidgramError` `reply-syntax` (malformed) or
   * `truncated-reply` (cut).
   */
  decodeReply(bytes: Uint8Array, token: unknown): ReplyOutcome;
  /**
   * As {@linkcode ServerCodec.frame}, for replies on a stream: a reply whose
   * header announces more than `maxPacket` bytes throws `reply-too-large`
   * at once.
   */
  frame?(buffer: Uint8Array, maxPacket?: number): number;
  /**
   * For FIFOs: how requests are framed for a server of `flavour` (the
   * dialect's default when not given). Absent for a dialect no FIFO carries.
   */
  fifo?(flavour?: string): FifoFraming;
  /** For HTTP: how exchanges are carried. Absent for a dialect HTTP does not carry. */
  readonly http?: HttpCarriage;
  /**
   * On a stream, replies carry no length or end: one request a connection,
   * the client closes its half after it, and the reply is all the server
   * writes until it closes (ctl's FIFO protocol over TCP).
   */
  readonly replyEndsAtClose?: boolean;
}
