/**
 * The Model Context Protocol side of `midgram mcp`: the official TypeScript
 * SDK's low-level `Server`, offering the tools of `tools.ts`, over stdio or
 * over streamable HTTP with a bearer token.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  Server,
  StdioServerTransport,
  StreamableHTTPServerTransport,
} from "./_sdk.ts";
import { MidgramError } from "../errors.ts";
import { formatHost } from "../transport/address.ts";
import type { McpTools } from "./tools.ts";

/** The server's name and version, as MCP's `initialize` reports them. */
export interface McpInfo {
  name: string;
  version: string;
}

const INSTRUCTIONS = "Tools for the management interfaces of OpenSIPS and Kamailio SIP servers. " +
  "Start with list_targets, then list_methods to see what a server offers. call_method runs " +
  "methods that only report freely; methods that change the server are refused unless the " +
  "operator allowed them. get_statistics reads counters as numbers.";

/** One MCP server (one session) over the tools; `client` names the caller in the audit log. */
function mcpServer(tools: McpTools, info: McpInfo, client: () => string): Server {
  const server = new Server(info, {
    capabilities: { tools: { listChanged: false } },
    instructions: INSTRUCTIONS,
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...tools.definitions] }));
  server.setRequestHandler(
    CallToolRequestSchema,
    async (request) =>
      await tools.call(request.params.name, request.params.arguments, client()) as never,
  );
  return server;
}

/**
 * Serves the tools over the given streams (stdio) until the input ends or
 * `signal` is aborted.
 */
export async function serveMcpStdio(
  tools: McpTools,
  info: McpInfo,
  streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  signal: AbortSignal,
): Promise<void> {
  const server = mcpServer(tools, info, () => "stdio");
  const transport = new StdioServerTransport(
    streams.input as never,
    streams.output as never,
  );
  const ended = new Promise<void>((resolve) => {
    streams.input.once("end", resolve);
    streams.input.once("close", resolve);
    transport.onclose = resolve;
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.connect(transport);
  try {
    await ended;
  } finally {
    await server.close();
  }
}

/** What {@linkcode serveMcpHttp} needs. */
export interface McpHttpOptions {
  host: string;
  port: number;
  /** The bearer token every request must carry. */
  token: string;
  /** The endpoint's path; default `/mcp`. */
  path?: string;
}

/** A running streamable-HTTP endpoint. */
export interface McpHttp {
  url: string;
  close(): Promise<void>;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Whether the request carries the token (compared in constant time). */
function authorized(request: IncomingMessage, expected: Buffer): boolean {
  const header = request.headers.authorization ?? "";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m !== null && timingSafeEqual(digest(m[1]), expected);
}

function refuse(response: ServerResponse, status: number, message: string, extra = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...extra });
  response.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message }, id: null }));
}

/**
 * Serves the tools over streamable HTTP (stateless: each POST is a session
 * of its own) on `host:port` at `path`. Every request must carry
 * `Authorization: Bearer TOKEN`; a missing or wrong token gets 401. Host
 * headers other than the listening address are refused (DNS rebinding).
 */
export async function serveMcpHttp(
  tools: McpTools,
  info: McpInfo,
  options: McpHttpOptions,
): Promise<McpHttp> {
  if (options.token === "") throw new MidgramError("usage", "The MCP HTTP token is empty");
  const expected = digest(options.token);
  const path = options.path ?? "/mcp";
  let allowedHosts: string[] = [];
  const http = createHttpServer(
    { requestTimeout: 60_000, headersTimeout: 10_000 },
    (request, response) => {
      const peer = `${request.socket.remoteAddress}:${request.socket.remotePort}`;
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname !== path) return refuse(response, 404, `Not found: the endpoint is ${path}`);
      if (!authorized(request, expected)) {
        return refuse(response, 401, "Missing or wrong bearer token", {
          "www-authenticate": 'Bearer realm="midgram"',
        });
      }
      if (request.method !== "POST") {
        // Stateless: no server-sent event stream to open, no session to delete.
        return refuse(response, 405, "Only POST is served", { allow: "POST" });
      }
      const server = mcpServer(tools, info, () => `http ${peer}`);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        enableDnsRebindingProtection: true,
        allowedHosts,
      });
      response.on("close", () => {
        void transport.close();
        void server.close();
      });
      server.connect(transport)
        .then(() => transport.handleRequest(request, response))
        .catch((error) => {
          if (!response.headersSent) refuse(response, 500, `Internal error: ${error}`);
          else response.destroy();
        });
    },
  );
  await new Promise<void>((resolve, reject) => {
    http.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new MidgramError(
          error.code === "EADDRINUSE" ? "address-in-use" : "transport",
          `Cannot listen on ${options.host}:${options.port}: ${error.message}`,
        ),
      ));
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = formatHost(options.host);
  allowedHosts = [`${host}:${port}`, `localhost:${port}`];
  return {
    url: `http://${host}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
