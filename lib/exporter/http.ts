/**
 * The exporter's HTTP side on `node:http` (Node and Deno alike): `/metrics`
 * in the format the scraper asks for, a landing page at `/` and
 * `/-/healthy`. It binds only the address it is given, answers GET and HEAD
 * only, and bounds what a client can make it do: header and request time
 * limits, a connection limit, and a limit on scrapes running at once.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { MidgramError } from "../errors.ts";
import { type ConnectionGate, gateConnections } from "../transport/connection_gate.ts";
import { type ExpositionFormat, negotiateFormat } from "./render.ts";

/** Where to listen: a host and a port (0: any free port). */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses `HOST:PORT` or `[V6]:PORT`. A host is required: the exporter binds
 * only where it is told (`0.0.0.0:9494` for every IPv4 address).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListen } from "./http.ts";
 * assert.deepEqual(parseListen("127.0.0.1:9494"), { host: "127.0.0.1", port: 9494 });
 * assert.deepEqual(parseListen("[::1]:0"), { host: "::1", port: 0 });
 * ```
 *
 * @throws {MidgramError} `usage`
 */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m || Number(m[3]) > 65535) {
    throw new MidgramError(
      "usage",
      `Cannot parse listen address "${text}": expected HOST:PORT, e.g. 127.0.0.1:9494`,
    );
  }
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}

/** What the HTTP side serves. */
export interface MetricsHttpOptions {
  listen: ListenAddress;
  /** Renders the metrics; `scrapeTimeoutMs` from `X-Prometheus-Scrape-Timeout-Seconds`. */
  metrics(
    format: ExpositionFormat,
    scrapeTimeoutMs?: number,
  ): Promise<{ text: string; contentType: string }>;
  /** The landing page's title and lines (targets, …). */
  title: string;
  lines?: string[];
  /** Scrapes at once; more get 503. Default 4. */
  maxScrapes?: number;
  /** Told of a failed scrape (a bug: targets never fail a scrape). */
  onError?: (error: unknown) => void;
  /** Admits each new connection (an allow-list); a refused one is closed at once. */
  gate?: ConnectionGate;
}

/** A running metrics endpoint. */
export interface MetricsHttpServer {
  /** The address bound (the real port for port 0). */
  readonly address: ListenAddress;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The scraper's time limit in ms, from its header, or undefined. */
export function scrapeTimeoutOf(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  const seconds = Number(text);
  return text !== undefined && text.trim() !== "" && Number.isFinite(seconds) && seconds > 0
    ? seconds * 1000
    : undefined;
}

/**
 * Serves the metrics endpoint until closed.
 *
 * @throws {MidgramError} `address-in-use`, `permission-denied`, `transport` when it cannot bind.
 */
export async function serveMetricsHttp(options: MetricsHttpOptions): Promise<MetricsHttpServer> {
  const maxScrapes = options.maxScrapes ?? 4;
  let scraping = 0;
  const page = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title></head>
<body><h1>${escapeHtml(options.title)}</h1>
<p><a href="/metrics">Metrics</a></p>
${(options.lines ?? []).map((l) => `<p>${escapeHtml(l)}</p>`).join("\n")}
</body></html>
`;
  const send = (res: ServerResponse, head: boolean, status: number, type: string, body: string) => {
    const bytes = new TextEncoder().encode(body);
    res.writeHead(status, { "Content-Type": type, "Content-Length": String(bytes.length) });
    res.end(head ? undefined : bytes);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.setHeader("Allow", "GET, HEAD");
      return send(res, false, 405, "text/plain; charset=utf-8", "Method not allowed\n");
    }
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/-/healthy") return send(res, head, 200, "text/plain; charset=utf-8", "OK\n");
    if (path === "/") return send(res, head, 200, "text/html; charset=utf-8", page);
    if (path !== "/metrics") {
      return send(res, head, 404, "text/plain; charset=utf-8", "Not found\n");
    }
    if (scraping >= maxScrapes) {
      return send(res, head, 503, "text/plain; charset=utf-8", "Too many scrapes at once\n");
    }
    scraping++;
    try {
      const format = negotiateFormat(req.headers.accept);
      const timeout = scrapeTimeoutOf(req.headers["x-prometheus-scrape-timeout-seconds"]);
      const { text, contentType } = await options.metrics(format, timeout);
      send(res, head, 200, contentType, text);
    } catch (error) {
      options.onError?.(error);
      send(res, head, 500, "text/plain; charset=utf-8", "Scrape failed\n");
    } finally {
      scraping--;
    }
  };
  // Loaded here, not at start-up: `node:http` cannot be in dist/midgram's V8
  // snapshot, and the single executable has no dynamic import().
  const { createServer } = createRequire(import.meta.url)(
    "node:http",
  ) as typeof import("node:http");
  const server = createServer((req, res) => {
    // The request has no body we read; discard one, bounded by the time limits.
    req.resume();
    handle(req, res).catch((error) => {
      options.onError?.(error);
      res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.maxHeadersCount = 64;
  server.maxConnections = 64;
  server.keepAliveTimeout = 5_000;
  if (options.gate) gateConnections(server, options.gate);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const code = error.code === "EADDRINUSE"
        ? "address-in-use"
        : error.code === "EACCES"
        ? "permission-denied"
        : "transport";
      reject(
        new MidgramError(
          code,
          `Cannot listen on "${options.listen.host}:${options.listen.port}": ${error.message}`,
        ),
      );
    };
    server.once("error", onError);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const bound = server.address();
  const address = typeof bound === "object" && bound !== null
    ? { host: options.listen.host, port: bound.port }
    : options.listen;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
