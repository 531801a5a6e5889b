/**
 * Golden server cases: a request (`NAME.mi`) beside the exact reply bytes
 * (`NAME.reply`), played against an in-process midgram server whose host is
 * fixed (pid 4242, cwd /srv, clock 2026-11-22 21:00:00 local), so every
 * built-in answers the same on every machine.
 *
 * @module
 */
import { createServer, type MiServer } from "../server/server.ts";
import { createMemoryTransport } from "../transport/memory.ts";
import { lineDiff, showInvisible } from "../golden/parse_cases.ts";

/** The server the golden server cases are played against. */
export function goldenServer(): MiServer {
  const now = new Date(2026, 10, 22, 21, 0, 0);
  return createServer({
    transport: createMemoryTransport(),
    host: {
      pid: 4242,
      cwd: () => "/srv",
      argv: ["midgram", "serve"],
      runtime: "golden",
      now: () => now,
    },
    version: "midgram golden",
  });
}

/**
 * Plays one server case; returns the actual reply bytes and a diff (with
 * invisible characters shown) when they differ from the expected ones.
 *
 * @example
 * ```ts
 * import { compareServerCase, goldenServer } from "./golden.ts";
 * const server = goldenServer();
 * const enc = new TextEncoder();
 * await compareServerCase(server, enc.encode(":pwd:\n"), enc.encode("200 OK\nWD:: /srv\n\n")); // ok: true
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
