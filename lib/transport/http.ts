/**
 * HTTP for `mi_http` and Kamailio's `xhttp`: a client POST with one hard
 * time limit, and a tiny server, both on `node:http` (which both runtimes
 * provide).
 *
 * @module
 */
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { BoundedChunks } from "../bytes.ts";
import { MidgramError } from "../errors.ts";
import { osError, replyTooLarge } from "./_errors.ts";
import { formatHost } from "./address.ts";
import {
  type ConnectionGate,
  DEFAULT_IDLE_TIMEOUT_MS,
  gateConnections,
  tcpPeerOf,
} from "./connection_gate.ts";
import type { HttpAddress, TcpAddress } from "./types.ts";

/** Options of {@linkcode httpPost}. */
export interface HttpPostOptions {
  /** One limit for connecting, the headers and the whole body. Default 2000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Default `application/json`. */
  contentType?: string;
  /** Largest response body accepted. Default 16 MiB. */
  maxBody?: number;
}

/** What an HTTP server answered. */
export interface HttpResponse {
  status: number;
  /** The reason phrase of the status line (`""` when none came). */
  reason: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * POSTs `body` to `url` and reads the whole response. The time limit covers
 * everything, so a server that starts a body and never ends it (as
 * `mi_http` does for the requests it refuses) cannot hang the caller.
 *
 * @example
 * ```ts ignore
 * import { httpPost } from "./http.ts";
 * const { status, body } = await httpPost(
 *   "http://127.0.0.1:8888/mi",
 *   new TextEncoder().encode('{"jsonrpc":"2.0","method":"version","id":1}'),
 * );
 * ```
 *
 * @throws {MidgramError} `timeout`, `connection-refused`, `not-found`,
 *   `reply-too-large`, `transport`, naming the URL.
 */
export function httpPost(
  url: string,
  body: Uint8Array,
  options: HttpPostOptions = {},
): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxBody = options.maxBody ?? 16 << 20;
  const address: HttpAddress = { kind: "http", url };
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  const { request } = nodeHttp();
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (response) return resolve(response);
      req.destroy();
      reject(error);
    };
    const timer = setTimeout(() =>
      finish(
        new MidgramError("timeout", `No complete reply from "${url}" within ${timeoutMs} ms`),
      ), timeoutMs);
    const onAbort = () => finish(options.signal!.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    // One connection per request (agent: false: "Connection: close"), so
    // that nothing is left open once the reply is in.
    const req = request(url, {
      method: "POST",
      agent: false,
      headers: {
        "content-type": options.contentType ?? "application/json",
        "content-length": body.length,
      },
    }, (res) => {
      const reply = new BoundedChunks(maxBody);
      res.on("data", (chunk: Uint8Array) => {
        if (!reply.push(chunk)) finish(replyTooLarge(address, maxBody));
      });
      res.on("end", () => {
        const all = reply.bytes();
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        finish(undefined, {
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? "",
          headers,
          body: all,
        });
      });
      res.on("error", (error) => finish(osError(error, "send", address)));
      res.on("close", () => {
        if (!res.complete) finish(osError({ code: "ECONNRESET" }, "send", address));
      });
    });
    req.on("error", (error) => finish(osError(error, "send", address)));
    req.end(body);
  });
}

/**
 * `node:http`, loaded when first used: it cannot be evaluated while the
 * single executable's start-up snapshot is taken, and a one-shot `send`
 * over another transport never pays for it. (The client was `fetch`, whose
 * implementation Node loads and compiles on first use: about 60 ms of CPU
 * for one request, against about 10 for `node:http`.)
 */
function nodeHttp(): typeof http {
  return (globalThis as unknown as {
    process: { getBuiltinModule(id: string): typeof http };
  }).process.getBuiltinModule("node:http");
}

/** The request a {@linkcode HttpHandler} gets. */
export interface HttpRequestInfo {
  method: string;
  /** The path and query, e.g. `/mi/version`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The client's address, when the socket still knows it. */
  peer: TcpAddress | null;
}

/** A handler's answer: its status line (the usual reason for the code when none is given), media type and body. */
export interface HttpAnswer {
  status: number;
  reason?: string;
  contentType: string;
  body: Uint8Array;
}

/** What a handler answers; `null` sends no body: 204 No Content. */
export type HttpHandler = (
  body: Uint8Array,
  request: HttpRequestInfo,
) => Promise<HttpAnswer | null> | HttpAnswer | null;

/** Options of {@linkcode listenHttp}. */
export interface HttpListenOptions {
  /** Largest request body accepted (413 beyond). Default 65536. */
  maxBody?: number;
  /** A request must arrive whole within this many milliseconds (408 after). Default 10000. */
  requestTimeoutMs?: number;
  /**
   * A connection on which nothing arrives for this many milliseconds is
   * closed (before a request, inside one, between two). Default
   * {@linkcode DEFAULT_IDLE_TIMEOUT_MS}.
   */
  idleTimeoutMs?: number;
  /** Admits each new connection (allow-list, connection cap); a refused one is closed at once. */
  gate?: ConnectionGate;
}

/** A listening HTTP server. */
export interface HttpListener {
  /** The URL served, with the real port for port 0. */
  readonly address: HttpAddress;
  /**
   * Stops accepting connections and closes the idle ones; requests being
   * answered go on, and their connections close once answered. Idempotent.
   */
  stopListening(): void;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves POST requests whose path is `prefix` or below it (`/mi`,
 * `/mi/anything`) with `handler`; other paths get 404, other methods 405.
 * A handler that throws gets a 500 with no details.
 */
export async function listenHttp(
  host: string,
  port: number,
  prefix: string,
  handler: HttpHandler,
  options: HttpListenOptions = {},
): Promise<HttpListener> {
  const maxBody = options.maxBody ?? 65536;
  const root = "/" + prefix.replace(/^\/+|\/+$/g, "");
  const under = (path: string) => {
    const bare = path.split("?")[0];
    return root === "/" || bare === root || bare.startsWith(root + "/");
  };
  const plain = (res: http.ServerResponse, status: number, text: string) => {
    res.writeHead(status, { "content-type": "text/plain" }).end(text + "\n");
  };
  const { createServer } = nodeHttp();
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? 10000;
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(idleTimeoutMs, requestTimeout),
      keepAliveTimeout: idleTimeoutMs,
      // Node checks the two time limits above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, idleTimeoutMs / 2)),
    },
    (req, res) => {
      const path = req.url ?? "/";
      if (!under(path)) return plain(res, 404, "Not found");
      if (req.method !== "POST") {
        res.setHeader("allow", "POST");
        return plain(res, 405, "Method not allowed");
      }
      const request = new BoundedChunks(maxBody);
      req.on("data", (chunk: Uint8Array) => {
        if (!request.push(chunk)) {
          plain(res, 413, "Request too large");
          req.destroy();
        }
      });
      req.on("end", async () => {
        const body = request.bytes();
        // The request is whole: the idle limit is the peer's, not the
        // handler's (which has its own). It applies again once answered.
        req.socket.setTimeout(0);
        res.once("finish", () => req.socket.setTimeout(idleTimeoutMs));
        try {
          const peer = tcpPeerOf(req.socket);
          const reply = await handler(body, {
            method: req.method!,
            path,
            headers: req.headers,
            peer,
          });
          if (reply === null) res.writeHead(204).end();
          else if (reply.reason === undefined) {
            res.writeHead(reply.status, { "content-type": reply.contentType }).end(reply.body);
          } else {
            res.writeHead(reply.status, reply.reason, { "content-type": reply.contentType })
              .end(reply.body);
          }
        } catch {
          if (!res.headersSent) plain(res, 500, "Internal server error");
          else res.destroy();
        }
      });
    },
  );
  // A socket on which nothing arrives for the idle time is closed.
  server.setTimeout(idleTimeoutMs);
  if (options.gate) gateConnections(server, options.gate);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    server.close();
    throw osError(error, "bind", {
      kind: "http",
      url: `http://${formatHost(host)}:${port}${root}`,
    });
  }
  const local = server.address() as AddressInfo;
  const shown = formatHost(local.address);
  // "close" comes once the server has stopped listening and its last connection has ended.
  const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
  let listening = true;
  const stopListening = () => {
    if (listening) {
      listening = false;
      server.close();
    }
    server.closeIdleConnections();
  };
  return {
    address: { kind: "http", url: `http://${shown}:${local.port}${root}` },
    stopListening,
    close() {
      stopListening();
      server.closeAllConnections();
      return closed;
    },
  };
}
