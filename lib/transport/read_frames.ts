import { concatBytes } from "../bytes.ts";
import { type ErrorCode, MidgramError } from "../errors.ts";
import { STREAM_HIGH_WATER, type StreamConnection } from "./types.ts";

/**
 * The largest packet any stream reader of midgram takes, server, client and
 * kamcmd alike: 1 MiB. It is what a stream connection buffers unread before
 * it stops reading from the OS ({@linkcode STREAM_HIGH_WATER}), so a reader
 * never holds more than the connection already may; it is far above what
 * Kamailio's `ctl` reads (a 64 KiB request buffer, 32 KB reply bodies by
 * default) and still takes the replies of a `ctl` whose
 * `binrpc_max_body_size` was raised to 1000 KB. A dialect may refuse
 * smaller packets in its own `frame()` (the server's binrpc requests stop at
 * 65535 bytes, as `ctl`'s do).
 */
export const MAX_FRAME = STREAM_HIGH_WATER;

/** Options of {@linkcode FrameReader} and {@linkcode readFrames}. */
export interface ReadFramesOptions {
  /** Largest packet accepted; a longer one (or more bytes without a whole header) throws. Default {@linkcode MAX_FRAME}. */
  maxPacket?: number;
  /** The error code for a packet over `maxPacket`. Default `request-too-large`. */
  tooLargeCode?: ErrorCode;
  /** The error code when the stream ends inside a packet. Default `closed`. */
  cutCode?: ErrorCode;
  /** Stops reading with the signal's reason. */
  signal?: AbortSignal;
  /** Names the stream in messages. */
  name?: string;
  /**
   * Each wait for bytes (the first, the rest of a packet, the next packet)
   * ends after this many milliseconds with a `timeout` error. Default: no bound.
   */
  idleTimeoutMs?: number;
  /** Told of every chunk as it is read (`kamcmd -vvv` shows them). */
  onRead?: (chunk: Uint8Array) => void;
}

/**
 * Splits a byte stream into packets: reads from `connection`, keeps partial
 * packets until they are whole, and returns each packet on its own, also
 * when several come in one read. The one stream framer of midgram: the
 * server, the client and kamcmd all read through it.
 *
 * `frame(buffer, maxPacket)` looks at the bytes buffered so far (starting
 * at a packet boundary) and returns the whole packet's length once it can
 * tell (more than `buffer.length` when the rest is still to come), or 0 when
 * it needs more bytes; it throws on bytes that cannot start a packet, and
 * may throw as soon as a header announces more than `maxPacket`. At most
 * `maxPacket` bytes are ever buffered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameReader } from "./read_frames.ts";
 * import { createMemoryTransport } from "./memory.ts";
 * const net = createMemoryTransport();
 * const listener = await net.listenStream({ kind: "tcp", host: "127.0.0.1", port: 0 });
 * const client = await net.connectStream(listener.address);
 * const server = await listener.accept();
 * await client.write(new Uint8Array([2, 0x61, 0x62, 1, 0x63]));
 * await client.close();
 * const reader = new FrameReader(server, (b) => b.length ? 1 + b[0] : 0);
 * assert.equal((await reader.next())?.length, 3);
 * assert.equal((await reader.next())?.length, 2);
 * assert.equal(await reader.next(), null);
 * await listener.close();
 * ```
 */
export class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private readonly maxPacket: number;
  private readonly name: string;

  private readonly connection: Pick<StreamConnection, "read">;
  private readonly frame: (buffer: Uint8Array, maxPacket: number) => number;
  private readonly options: Omit<ReadFramesOptions, "signal">;

  constructor(
    connection: Pick<StreamConnection, "read">,
    frame: (buffer: Uint8Array, maxPacket: number) => number,
    options: Omit<ReadFramesOptions, "signal"> = {},
  ) {
    this.connection = connection;
    this.frame = frame;
    this.options = options;
    this.maxPacket = options.maxPacket ?? MAX_FRAME;
    this.name = options.name ? ` on "${options.name}"` : "";
  }

  /** The bytes read past the last packet returned. */
  get buffered(): Uint8Array {
    return this.buffer;
  }

  /** Takes the bytes read past the last packet (a caller that shows what it got). */
  take(): Uint8Array {
    const rest = this.buffer;
    this.buffer = new Uint8Array(0);
    return rest;
  }

  /**
   * The next whole packet, or `null` when the stream ends between packets.
   *
   * @throws {MidgramError} `request-too-large` (or `tooLargeCode`) for a packet
   *   over the limit; `closed` (or `cutCode`) when the stream ends inside a packet (the bytes
   *   stay in {@linkcode FrameReader.buffered}); `timeout` when nothing comes
   *   within `idleTimeoutMs`; whatever `frame` or `read` throw.
   */
  async next(signal?: AbortSignal): Promise<Uint8Array | null> {
    while (true) {
      const packet = this.whole();
      if (packet !== null) return packet;
      const chunk = await this.read(signal);
      if (chunk === null) {
        if (this.buffer.length === 0) return null;
        throw new MidgramError(
          this.options.cutCode ?? "closed",
          `Stream${this.name} ended inside a packet (${this.buffer.length} bytes of it received)`,
        );
      }
      this.options.onRead?.(chunk);
      this.buffer = this.buffer.length === 0 ? chunk : concatBytes([this.buffer, chunk]);
    }
  }

  /** The first whole packet buffered, taken out of the buffer, or null. */
  private whole(): Uint8Array | null {
    if (this.buffer.length === 0) return null;
    const length = this.frame(this.buffer, this.maxPacket);
    if (!Number.isInteger(length) || length < 0) {
      throw new TypeError(`frame() returned ${length}, not a packet length`);
    }
    if (length > this.maxPacket || (length === 0 && this.buffer.length >= this.maxPacket)) {
      throw new MidgramError(
        this.options.tooLargeCode ?? "request-too-large",
        `Packet${this.name} is ${
          length || `over ${this.buffer.length}`
        } bytes, more than the limit of ${this.maxPacket}`,
      );
    }
    if (length === 0 || length > this.buffer.length) return null;
    const packet = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return packet;
  }

  /** One read, bounded by the idle time limit when there is one. */
  private async read(signal?: AbortSignal): Promise<Uint8Array | null> {
    const idle = this.options.idleTimeoutMs;
    if (idle === undefined || idle <= 0) return await this.connection.read(signal);
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() =>
      controller.abort(
        new MidgramError(
          "timeout",
          `Nothing received${this.name} for ${idle} ms${
            this.buffer.length > 0 ? ` (${this.buffer.length} bytes of a packet waiting)` : ""
          }`,
        ),
      ), idle);
    try {
      return await this.connection.read(controller.signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

/**
 * The packets of a stream, one after another, through a {@linkcode FrameReader}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFrames } from "./read_frames.ts";
 * import { createMemoryTransport } from "./memory.ts";
 * const net = createMemoryTransport();
 * const listener = await net.listenStream({ kind: "tcp", host: "127.0.0.1", port: 0 });
 * const client = await net.connectStream(listener.address);
 * const server = await listener.accept();
 * // Two packets with a one-byte length prefix, in one write.
 * await client.write(new Uint8Array([2, 0x61, 0x62, 1, 0x63]));
 * await client.close();
 * const sizes = [];
 * for await (const packet of readFrames(server, (b) => b.length ? 1 + b[0] : 0)) {
 *   sizes.push(packet.length);
 * }
 * assert.deepEqual(sizes, [3, 2]);
 * await listener.close();
 * ```
 *
 * @throws {MidgramError} as {@linkcode FrameReader.next}.
 */
export async function* readFrames(
  connection: Pick<StreamConnection, "read">,
  frame: (buffer: Uint8Array, maxPacket: number) => number,
  options: ReadFramesOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = new FrameReader(connection, frame, options);
  while (true) {
    const packet = await reader.next(options.signal);
    if (packet === null) return;
    yield packet;
  }
}
