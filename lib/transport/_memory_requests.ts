/**
 * In-memory FIFOs and HTTP servers with the semantics of the real ones:
 * a FIFO's requests are framed by the dialect and split by its reader (a
 * request written in two pieces is read whole, two in one write are two),
 * each reply goes to the reply FIFO the request names; an HTTP request
 * passes the listener's gate and gets 503 once the listener has stopped.
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import { AsyncQueue } from "./_async_queue.ts";
import { closedError, nobodyReads, noFifoFraming, osError, replyTooLarge } from "./_errors.ts";
import { fifoRequestListener } from "./_fifo_requests.ts";
import type { HttpStatus } from "../protocol/dialect.ts";
import { UntakenRequests } from "./_untaken_requests.ts";
import type {
  ExchangeOptions,
  HttpAddress,
  ReceivedRequest,
  RequestAddress,
  RequestListener,
  RequestListenOptions,
  Transport,
} from "./types.ts";

/** What an in-memory HTTP server answers: a status line and a body. */
type HttpReply = { status: HttpStatus; body: Uint8Array };

/** A request the listener did not run: answered 503, as the real listener does. */
const UNAVAILABLE: HttpReply = { status: { code: 503 }, body: new Uint8Array() };

/** The answer of a request with no reply: 204, no body. */
const NO_CONTENT: HttpReply = { status: { code: 204 }, body: new Uint8Array() };

/** Default largest reply a client accepts, as on the real transports. */
const MAX_REPLY = 16 << 20;

/** A client's wait for its reply, bounded by the time limit and the signal. */
function waitReply(
  to: RequestAddress,
  options: ExchangeOptions,
  timeout: () => MidgramError,
  start: (settle: (reply: Uint8Array | { error: unknown }, first?: () => void) => void) => void,
  cleanUp: () => void,
): Promise<Uint8Array> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Uint8Array>((resolve, reject) => {
    let done = false;
    const settle = (reply: Uint8Array | { error: unknown }, first?: () => void) => {
      if (done) return;
      done = true;
      try {
        first?.();
      } catch (error) {
        reply = { error };
      }
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      cleanUp();
      if (!(reply instanceof Uint8Array)) reject(reply.error);
      else if (reply.length > (options.maxReply ?? MAX_REPLY)) {
        reject(replyTooLarge(to, options.maxReply ?? MAX_REPLY));
      } else resolve(reply);
    };
    const onAbort = () => settle({ error: signal!.reason });
    const timer = setTimeout(() => settle({ error: timeout() }), options.timeoutMs ?? 2000);
    signal?.addEventListener("abort", onAbort, { once: true });
    start(settle);
  });
}

/**
 * The FIFO and HTTP part of a memory transport: its own network of FIFOs,
 * reply FIFOs and HTTP listeners.
 */
export function memoryRequests(): Pick<Transport, "listenRequests" | "exchange"> {
  const fifos = new Map<string, AsyncQueue<Uint8Array>>();
  /** Reply FIFOs being read, by full path. */
  const replyFifos = new Map<string, (reply: Uint8Array) => void>();
  const servers = new Map<string, (data: Uint8Array) => Promise<HttpReply>>();
  let nextId = 1;
  let nextPort = 48000;

  const listenFifo = (path: string, options: RequestListenOptions): RequestListener => {
    // Before the path is taken, as on a real runtime (where no FIFO is made).
    const framing = options.fifo;
    if (!framing) throw new TypeError("listenRequests(): a FIFO needs options.fifo");
    if (fifos.has(path)) {
      throw new MidgramError(
        "address-in-use",
        `Cannot bind "${path}": address in use: a server reads this FIFO`,
      );
    }
    const address = { kind: "fifo" as const, path };
    const queue = new AsyncQueue<Uint8Array>();
    fifos.set(path, queue);
    const replyDir = (options.replyDir ?? "/tmp").replace(/\/+$/, "");
    let closed = false;
    return fifoRequestListener(
      {
        address,
        async read(signal) {
          const chunk = await queue.next(signal);
          if (chunk === null) throw closedError(address);
          return chunk;
        },
        writeReply(name, data) {
          const deliver = replyFifos.get(`${replyDir}/${name}`);
          if (!deliver) {
            return Promise.reject(nobodyReads(`${replyDir}/${name}`));
          }
          deliver(data.slice());
          return Promise.resolve();
        },
        close() {
          if (!closed) {
            closed = true;
            fifos.delete(path);
            queue.fail(closedError(address), true);
          }
          return Promise.resolve();
        },
      },
      framing,
      options,
    );
  };

  const listenHttp = (address: HttpAddress, options: RequestListenOptions): RequestListener => {
    const carriage = options.http;
    if (!carriage) throw new TypeError("listenRequests(): HTTP needs options.http");
    const url = new URL(address.url);
    if (url.port === "0" || url.port === "") url.port = String(nextPort++);
    const bound: HttpAddress = { kind: "http", url: url.href.replace(/\/$/, "") };
    const key = url.origin;
    if (servers.has(key)) {
      throw new MidgramError("address-in-use", `Cannot bind "${bound.url}": address in use`);
    }
    const untaken = new UntakenRequests<HttpReply>();
    let stopped = false;
    servers.set(key, (data) => {
      // One connection per request, as the real client makes.
      const peer = { kind: "tcp" as const, host: "127.0.0.1", port: nextPort++ };
      if (options.gate && !options.gate.enter(peer)) {
        return Promise.reject(osError({ code: "ECONNRESET" }, "send", bound));
      }
      if (stopped) {
        options.gate?.leave();
        return Promise.resolve(UNAVAILABLE);
      }
      return new Promise<HttpReply>((resolve) => {
        const request: ReceivedRequest = {
          data: data.slice(),
          from: peer,
          unanswerable: null,
          respond(reply, respondOptions) {
            options.gate?.leave();
            resolve(
              reply === null ? NO_CONTENT : {
                status: carriage.status(respondOptions?.fault ?? null),
                body: reply.slice(),
              },
            );
            return Promise.resolve();
          },
        };
        untaken.push(request, resolve);
      });
    });
    const stop = () => {
      if (!stopped) {
        stopped = true;
        servers.delete(key);
        untaken.stop(bound, UNAVAILABLE);
      }
      return Promise.resolve();
    };
    return {
      address: bound,
      next: (signal) => untaken.next(signal, bound),
      stop,
      close: stop,
      retained: () => untaken.retained(),
    };
  };

  return {
    listenRequests(address: RequestAddress, options: RequestListenOptions) {
      try {
        return Promise.resolve(
          address.kind === "fifo"
            ? listenFifo(address.path, options)
            : listenHttp(address, options),
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },
    exchange(to: RequestAddress, request: Uint8Array, options: ExchangeOptions) {
      const timeoutMs = options.timeoutMs ?? 2000;
      if (to.kind === "http") {
        const server = servers.get(new URL(to.url).origin);
        if (!server) return Promise.reject(osError({ code: "ECONNREFUSED" }, "send", to));
        return waitReply(
          to,
          options,
          () =>
            new MidgramError(
              "timeout",
              `No complete reply from "${to.url}" within ${timeoutMs} ms`,
            ),
          (settle) =>
            server(request).then(
              (reply) => settle(reply.body, () => options.onStatus?.(reply.status)),
              (error) => settle({ error }),
            ),
          () => {},
        );
      }
      const queue = fifos.get(to.path);
      if (!queue) {
        return Promise.reject(
          new MidgramError(
            "not-found",
            `Cannot open "fifo:${to.path}": no such file: is the server running and is the path right?`,
          ),
        );
      }
      const framing = options.fifo;
      if (!framing) {
        return Promise.reject(noFifoFraming(to.path));
      }
      const name = `midgram_memory_${nextId++}`;
      const replyPath = `${(options.replyDir ?? "/tmp").replace(/\/+$/, "")}/${name}`;
      let framed: Uint8Array;
      try {
        framed = framing.request(request, name);
      } catch (error) {
        return Promise.reject(error);
      }
      return waitReply(
        to,
        options,
        () =>
          new MidgramError(
            "timeout",
            `No reply from "fifo:${to.path}" within ${timeoutMs} ms (no reply)`,
          ),
        (settle) => {
          replyFifos.set(replyPath, settle);
          queue.push(framed.slice());
        },
        () => replyFifos.delete(replyPath),
      );
    },
  };
}
