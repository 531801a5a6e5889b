/**
 * A server FIFO as a {@linkcode RequestListener}: the bytes read from it
 * are split into requests by the dialect's {@linkcode FifoFraming}, and each
 * request answers into the reply FIFO it names. Shared by the runtimes'
 * FIFOs and the in-memory ones, which differ only in how bytes move.
 *
 * @module
 */
import type {
  FifoAddress,
  FifoFraming,
  FifoRequestReader,
  ReceivedRequest,
  RequestListener,
  RequestListenOptions,
  SendOptions,
} from "./types.ts";

/** How the bytes of one server FIFO move: the runtime's part. */
export interface FifoChannel {
  readonly address: FifoAddress;
  /** The next bytes written to the FIFO; rejects with `closed` once closed. */
  read(signal?: AbortSignal): Promise<Uint8Array>;
  /** Writes a reply into the client's FIFO `name` in the reply directory, then closes it. */
  writeReply(name: string, data: Uint8Array, options?: SendOptions): Promise<void>;
  /** Stops reading and removes the FIFO. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves a FIFO channel request by request. Bytes that make no request are
 * dropped as the real servers drop them (told to `onDrop`, no reply); what
 * is kept between reads is bounded by the dialect's reader. The caller
 * checks that the dialect has a FIFO framing before it makes the channel.
 */
export function fifoRequestListener(
  channel: FifoChannel,
  framing: FifoFraming,
  options: RequestListenOptions,
): RequestListener {
  const replyDir = options.replyDir ?? "/tmp";
  let reader: FifoRequestReader = framing.reader(replyDir);
  const ready: ReceivedRequest[] = [];
  const request = (data: Uint8Array, replyName: string | null): ReceivedRequest => {
    // An empty name asks for no reply (as mi_fifo); a refused one cannot get one.
    const unanswerable = replyName ? framing.replyNameProblem(replyName, replyDir) : null;
    return {
      data,
      from: null,
      unanswerable,
      replyTo: replyName ?? undefined,
      respond(reply, sendOptions) {
        if (reply === null || !replyName || unanswerable !== null) return Promise.resolve();
        return channel.writeReply(replyName, reply, sendOptions);
      },
    };
  };
  return {
    address: channel.address,
    async next(signal?: AbortSignal): Promise<ReceivedRequest> {
      while (ready.length === 0) {
        const chunk = await channel.read(signal);
        let read;
        try {
          read = reader.push(chunk);
        } catch (error) {
          // The reader never throws; should it, its state is dropped, not the server.
          reader = framing.reader(replyDir);
          options.onDrop?.({ kind: "invalid", reason: `internal error: ${String(error)}` });
          continue;
        }
        for (const drop of read.dropped) options.onDrop?.(drop);
        for (const { replyName, json } of read.requests) ready.push(request(json, replyName));
      }
      return ready.shift()!;
    },
    // Replies go into the clients' own FIFOs: the request FIFO goes at once.
    stop: () => channel.close(),
    close: () => channel.close(),
    retained: () => ({
      requests: ready.length,
      bytes: ready.reduce((n, r) => n + r.data.length, reader.pending),
    }),
  };
}
