/**
 * The parts of the official MCP SDK that `midgram mcp` uses, in one place.
 * The SDK's wildcard export (`./*`) maps its types to `*.js.d.ts`, which
 * Deno cannot find: each import names its declaration file for Deno
 * (`@ts-types`); TypeScript and both runtimes resolve the code as usual.
 *
 * @module
 */
export { Server } from "@modelcontextprotocol/sdk/server";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/server/stdio.d.ts"
export { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/server/streamableHttp.d.ts"
export { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/types.d.ts"
export { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
