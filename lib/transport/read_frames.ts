import { type ErrorCode, MidgramError } from "../errors.ts";
import type { StreamConnection } from "./types.ts";

/** Options of {@linkcode readFrames}. */
export interface ReadFramesOptions {
  /** Largest packet accepted; a longer one (or more bytes without a whole header) throws. Default 65536. */
  maxPacket?: number;
  /** The error code for a packet over `maxPacket`. Default `request-too-large`. */
  tooLargeCode?: ErrorCode;
  /** Stops reading with the signal's reason. */
  signal?: AbortSignal;
  /** Names the stream in messages. */
  name?: string;
}

/**
 * Splits a byte stream into packets: reads from `connection`, keeps partial
 * packets until they are whole, and yields each packet on its own, also when
 * several come in one read.
 *
 * `frame(buffer)` looks at the bytes buffered so far (starting at a packet
 * boundary) and returns the whole packet's length once it can tell (more
 * than `buffer.length` when the rest is still to come), or 0 when it needs
 * more bytes; it throws on bytes that cannot start a packet. At most
 * `maxPacket` bytes are ever buffered.
 *
 * @example
 * ```ts
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
 *   sizes.push(packet.length); // 3, then 2
 * }
 * await listener.close();
 * ```
 *
 * @throws {MidgramError} `request-too-large` (or `tooLargeCode`) for a packet
 *   over the limit; `closed` when the stream ends inside a packet; whatever
 *   `frame` or `read` throw.
 */
export async function* readFrames(
  connection: Pick<StreamConnection, "read">,
  frame: (buffer: Uint8Array) => number,
  options: ReadFramesOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const maxPacket = options.maxPacket ?? 65536;
  const name = options.name ? ` on "${options.name}"` : "";
  let buffer: Uint8Array = new Uint8Array(0);
  while (true) {
    // Yield every whole packet buffered.
    while (buffer.length > 0) {
      const length = frame(buffer);
      if (!Number.isInteger(length) || length < 0) {
        throw new TypeError(`frame() returned ${length}, not a packet length`);
      }
      if (length > maxPacket || (length === 0 && buffer.length >= maxPacket)) {
        throw new MidgramError(
          options.tooLargeCode ?? "request-too-large",
          `Packet${name} is ${
            length || `over ${buffer.length}`
          } bytes, more than the limit of ${maxPacket}`,
        );
      }
      if (length === 0 || length > buffer.length) break;
      yield buffer.subarray(0, length);
      buffer = buffer.subarray(length);
    }
    const chunk = await connection.read(options.signal);
    if (chunk === null) {
      if (buffer.length === 0) return;
      throw new MidgramError(
        "closed",
        `Stream${name} ended inside a packet (${buffer.length} bytes of it received)`,
      );
    }
    if (buffer.length === 0) {
      buffer = chunk;
    } else {
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer);
      joined.set(chunk, buffer.length);
      buffer = joined;
    }
  }
}
