/**
 * Golden server cases: a request (`NAME.mi`) beside the exact reply bytes
 * (`NAME.reply`), played against an in-process midgram server whose host is
 * fixed (pid 4242, cwd /srv, clock 2026-11-22 21:00:00 local), so every
 * built-in answers the same on every machine.
 *
 * @module
 */
import { createServer, type MiServer, type ServerOptions } from "../server/server.ts";
import { createMemoryTransport } from "../transport/open.ts";
import { lineDiff, showInvisible } from "../golden/parse_cases.ts";

/** The clock of {@linkcode goldenServer}: Sun Nov 22 21:00:00 2026, local time. */
export const GOLDEN_NOW: Date = new Date(2026, 10, 22, 21, 0, 0);

/**
 * An in-memory server whose host is fixed, so every built-in answers the
 * same on every machine: the server golden cases are played against it (and
 * the server's own tests use it, with their options on top).
 */
export function goldenServer(options: Partial<ServerOptions> = {}): MiServer {
  return createServer({
    transport: createMemoryTransport(),
    host: {
      pid: 4242,
      cwd: () => "/srv",
      argv: ["midgram", "serve"],
      runtime: "golden",
      now: () => GOLDEN_NOW,
    },
    version: "midgram golden",
    ...options,
  });
}

/**
 * Plays one server case; returns the actual reply bytes and a diff (with
 * invisible characters shown) when they differ from the expected ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareServerCase, goldenServer } from "./golden.ts";
 * const server = goldenServer();
 * const enc = new TextEncoder();
 * const r = await compareServerCase(server, enc.encode(":pwd:\n"), enc.encode("200 OK\nWD:: /srv\n\n"));
 * assert.equal(r.ok, true);
 * ```
 */
export async function compareServerCase(
  server: MiServer,
  request: Uint8Array,
  expected: Uint8Array,
): Promise<{ ok: boolean; actual: Uint8Array; diff: string }> {
  const actual = (await server.handle(request, null)) ?? new Uint8Array();
  const a = new TextDecoder().decode(expected);
  const b = new TextDecoder().decode(actual);
  const ok = a === b;
  return { ok, actual, diff: ok ? "" : lineDiff(showInvisible(a), showInvisible(b)) };
}
