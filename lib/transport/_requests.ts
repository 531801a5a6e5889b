/**
 * FIFOs and HTTP on a real runtime, behind {@linkcode Transport.listenRequests}
 * and {@linkcode Transport.exchange}. Both runtimes run this same code
 * (`node:fs` and `node:http`, which Deno provides).
 *
 * @module
 */
import { noFifoFraming } from "./_errors.ts";
import { fifoRequestListener } from "./_fifo_requests.ts";
import { UntakenRequests } from "./_untaken_requests.ts";
import { ipHostOf } from "./address.ts";
import { fifoRequest, listenFifo, writeFifoReply } from "./fifo.ts";
import { type HttpAnswer, httpPost, listenHttp } from "./http.ts";
import type {
  ExchangeOptions,
  HttpAddress,
  ReceivedRequest,
  RequestAddress,
  RequestListener,
  RequestListenOptions,
  Transport,
} from "./types.ts";

type HttpReply = HttpAnswer | null;

/** The 503 of a request that came after the listener stopped. */
const UNAVAILABLE: HttpReply = { status: 503, contentType: "text/plain", body: new Uint8Array() };

async function listenHttpRequests(
  address: HttpAddress,
  options: RequestListenOptions,
): Promise<RequestListener> {
  const carriage = options.http;
  if (!carriage) throw new TypeError("listenRequests(): HTTP needs options.http");
  const url = new URL(address.url);
  // Requests received and not yet taken: answered 503 if the listener stops first.
  const untaken = new UntakenRequests<HttpReply>();
  let stopped = false;
  const http = await listenHttp(
    ipHostOf(address)!,
    Number(url.port || 80),
    url.pathname,
    (body, info) => {
      if (stopped) return UNAVAILABLE;
      return new Promise<HttpReply>((resolve) => {
        const request: ReceivedRequest = {
          data: body,
          from: info.peer,
          unanswerable: null,
          respond(reply, respondOptions) {
            if (reply === null) resolve(null);
            else {
              const { code, reason } = carriage.status(respondOptions?.fault ?? null);
              resolve({ status: code, reason, contentType: carriage.contentType, body: reply });
            }
            return Promise.resolve();
          },
        };
        untaken.push(request, resolve);
      });
    },
    { gate: options.gate, idleTimeoutMs: options.idleTimeoutMs },
  );
  const stop = () => {
    if (!stopped) {
      stopped = true;
      untaken.stop(http.address, UNAVAILABLE);
    }
    http.stopListening();
    return Promise.resolve();
  };
  return {
    address: http.address,
    next: (signal?: AbortSignal) => untaken.next(signal, http.address),
    stop,
    async close() {
      await stop();
      await http.close();
    },
    retained: () => untaken.retained(),
  };
}

/** {@linkcode Transport.listenRequests} on a real runtime. */
export async function listenRequests(
  address: RequestAddress,
  options: RequestListenOptions,
): Promise<RequestListener> {
  if (address.kind === "http") return await listenHttpRequests(address, options);
  const framing = options.fifo;
  if (!framing) throw new TypeError("listenRequests(): a FIFO needs options.fifo");
  const replyDir = options.replyDir ?? "/tmp";
  const fifo = await listenFifo(address.path, {
    mode: options.mode,
    uid: options.uid,
    gid: options.gid,
  });
  return fifoRequestListener(
    {
      address: fifo.address,
      read: (signal) => fifo.read(signal),
      writeReply: (name, data, sendOptions) => writeFifoReply(replyDir, name, data, sendOptions),
      close: () => fifo.close(),
    },
    framing,
    options,
  );
}

/** {@linkcode Transport.exchange} on a real runtime. */
export async function exchange(
  to: RequestAddress,
  request: Uint8Array,
  options: ExchangeOptions,
): Promise<Uint8Array> {
  const { timeoutMs, signal } = options;
  if (to.kind === "http") {
    const response = await httpPost(to.url, request, {
      timeoutMs,
      signal,
      contentType: options.http?.contentType ?? "application/json",
      maxBody: options.maxReply,
    });
    options.onStatus?.(
      response.reason === ""
        ? { code: response.status }
        : { code: response.status, reason: response.reason },
    );
    return response.body;
  }
  const framing = options.fifo;
  if (!framing) {
    throw noFifoFraming(to.path);
  }
  return await fifoRequest(to.path, (name) => framing.request(request, name), {
    replyDir: options.replyDir ?? "/tmp",
    timeoutMs,
    signal,
    maxReply: options.maxReply,
  });
}

/** The FIFO and HTTP part of a runtime's {@linkcode Transport}. */
export const requestTransports: Pick<Transport, "listenRequests" | "exchange"> = {
  listenRequests,
  exchange,
};
