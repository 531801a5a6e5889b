/**
 * Which socket a client command talks to when `-s` is not given: one rule
 * for `send`, `doctor` and shell completion. The flag, else
 * `MIDGRAM_SOCKET` (an empty value counts as unset), else the config's
 * `[client] socket`, else midgram's own default; and when that is absent,
 * the first of the servers' own defaults that answers (said on stderr when
 * it is a terminal).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { findServer, type KnownSocket, SERVER_DEFAULTS } from "../lib/client/find_server.ts";
import { MidgramError } from "../lib/errors.ts";
import { DIALECT_CHOICES, type DialectChoice } from "../lib/socket_spec.ts";
import type { Transport } from "../lib/transport/types.ts";

/** Where a client goes when no socket is named anywhere (`midgram serve`'s default). */
export const DEFAULT_SOCKET = "/run/midgram/midgram.sock";

/** Where the sockets came from. */
export type SocketSource = "flag" | "env" | "config" | "default";

/**
 * The sockets named by the flag, the environment or the config, in that
 * order; `[DEFAULT_SOCKET]` with source `default` when none is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namedSockets } from "./_sockets.ts";
 * assert.equal(namedSockets(undefined, { MIDGRAM_SOCKET: "" }, undefined).source, "default");
 * assert.deepEqual(namedSockets(undefined, { MIDGRAM_SOCKET: "/a.sock" }, "/b.sock").texts, [
 *   "/a.sock",
 * ]);
 * ```
 */
export function namedSockets(
  flag: string[] | undefined,
  env: Record<string, string | undefined>,
  configured: string | undefined,
): { texts: string[]; source: SocketSource } {
  if (flag && flag.length > 0) return { texts: flag, source: "flag" };
  if (env.MIDGRAM_SOCKET) return { texts: [env.MIDGRAM_SOCKET], source: "env" };
  if (configured) return { texts: [configured], source: "config" };
  return { texts: [DEFAULT_SOCKET], source: "default" };
}

/** What {@linkcode chooseSockets} chose. */
export interface SocketChoice {
  texts: string[];
  source: SocketSource;
  /** The server default used, when midgram's own was absent. */
  found?: KnownSocket;
  /** Nothing named and nothing found: what was tried, for the message. */
  tried?: string[];
}

/**
 * {@linkcode namedSockets}, then, when nothing is named and
 * {@linkcode DEFAULT_SOCKET} is absent, the first of the servers' defaults
 * that answers (`findServer`). With none, `DEFAULT_SOCKET` stays, and
 * `tried` lists what was looked for.
 */
export async function chooseSockets(options: {
  flag: string[] | undefined;
  env: Record<string, string | undefined>;
  configured: string | undefined;
  transport: Transport;
  timeoutMs: number;
  /** Say which default was taken (when stderr is a terminal). */
  say?: (message: string) => void;
  candidates?: readonly KnownSocket[];
  fallback?: string;
}): Promise<SocketChoice> {
  const named = namedSockets(options.flag, options.env, options.configured);
  if (named.source !== "default") return named;
  const fallback = options.fallback ?? DEFAULT_SOCKET;
  if (existsSync(fallback)) return { texts: [fallback], source: "default" };
  const candidates = options.candidates ?? SERVER_DEFAULTS;
  const found = await findServer({
    transport: options.transport,
    timeoutMs: Math.min(options.timeoutMs, 1000),
    candidates,
  });
  if (found) {
    options.say?.(
      `no socket given and ${fallback} is absent: using ${found.spec} (${found.what})`,
    );
    return { texts: [found.spec], source: "default", found };
  }
  return {
    texts: [fallback],
    source: "default",
    tried: [fallback, ...candidates.map((c) => c.spec)],
  };
}

/** Nothing named and nothing found where the servers put their sockets: what was tried, and what to do. */
export function noServerFound(tried: string[]): MidgramError {
  return new MidgramError(
    "not-found",
    `No server found: nothing answers at ${
      tried.join(", ")
    }: name the socket with -s ADDRESS (or MIDGRAM_SOCKET, or [client] socket in the config)`,
  );
}

/**
 * The dialect a client command speaks when no address names one: the flag,
 * else `MIDGRAM_DIALECT` (an empty one counts as unset), else the config's
 * `[client] dialect`, else `auto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namedDialect } from "./_sockets.ts";
 * assert.equal(namedDialect(undefined, { MIDGRAM_DIALECT: "" }, "binrpc"), "binrpc");
 * assert.equal(namedDialect("mi", { MIDGRAM_DIALECT: "jsonrpc" }, undefined), "mi");
 * assert.throws(() => namedDialect(undefined, { MIDGRAM_DIALECT: "xml" }, undefined));
 * ```
 *
 * @throws {MidgramError} `usage` when `MIDGRAM_DIALECT` names no dialect.
 */
export function namedDialect(
  flag: DialectChoice | undefined,
  env: Record<string, string | undefined>,
  configured: DialectChoice | undefined,
): DialectChoice {
  const dialect = flag ?? (env.MIDGRAM_DIALECT || undefined) ?? configured ?? "auto";
  if (!DIALECT_CHOICES.includes(dialect as DialectChoice)) {
    throw new MidgramError(
      "usage",
      `Unknown dialect "${dialect}" (MIDGRAM_DIALECT): use ${DIALECT_CHOICES.join(", ")}`,
    );
  }
  return dialect as DialectChoice;
}
