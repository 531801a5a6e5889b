/**
 * Where the servers put their management sockets when nobody says
 * otherwise, and which of them answers here: what `send` and `doctor` use
 * when no socket is named and midgram's own default is absent.
 *
 * @module
 */
import { parseSocketSpec } from "../socket_spec.ts";
import { looksServed } from "../transport/presence.ts";
import type { Transport } from "../transport/types.ts";
import { detectDialect } from "./detect.ts";

/** A server's default address, as `[DIALECT[/FLAVOUR]=]ADDRESS`, and whose it is. */
export interface KnownSocket {
  spec: string;
  what: string;
}

/**
 * The servers' own defaults, in the order they are tried:
 * Kamailio's `ctl` (`unixs:` + its `RUN_DIR`, `/var/run/kamailio/` in
 * Debian's build, as kamcmd), `jsonrpcs`' `dgram_socket` and `fifo_name`
 * (`kamailio_rpc.sock`, `kamailio_rpc.fifo` in that run directory),
 * OpenSIPS 3's `mi_fifo` (`/tmp/opensips_fifo`, its packaged opensips.cfg)
 * and `mi_datagram` at opensips-cli's default `udp:127.0.0.1:8080`.
 */
export const SERVER_DEFAULTS: readonly KnownSocket[] = [
  { spec: "binrpc=unixs:/var/run/kamailio/kamailio_ctl", what: "Kamailio's ctl (binrpc)" },
  {
    spec: "jsonrpc/kamailio=/var/run/kamailio/kamailio_rpc.sock",
    what: "Kamailio's jsonrpcs datagram socket",
  },
  {
    spec: "jsonrpc/kamailio=fifo:/var/run/kamailio/kamailio_rpc.fifo",
    what: "Kamailio's jsonrpcs FIFO",
  },
  { spec: "jsonrpc/opensips=fifo:/tmp/opensips_fifo", what: "OpenSIPS's mi_fifo" },
  { spec: "udp:127.0.0.1:8080", what: "OpenSIPS's mi_datagram (opensips-cli's default)" },
];

/**
 * The first of `candidates` that answers: a socket file, a FIFO or a UDP
 * port must first look served (nothing sent, see `looksServed`); then a
 * stream socket must accept a connection (closed at once) and a datagram
 * socket must answer the dialect probe. A FIFO that a process reads is
 * taken as it is (nothing is written to it). `null` when none answers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findServer } from "./find_server.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const found = await findServer({
 *   transport: createMemoryTransport(),
 *   timeoutMs: 100,
 *   candidates: [{ spec: "/nonexistent/x.sock", what: "nothing" }],
 * });
 * assert.equal(found, null);
 * ```
 */
export async function findServer(options: {
  transport: Transport;
  timeoutMs: number;
  candidates?: readonly KnownSocket[];
}): Promise<KnownSocket | null> {
  for (const candidate of options.candidates ?? SERVER_DEFAULTS) {
    const { address } = parseSocketSpec(candidate.spec, "auto");
    if (!looksServed(address)) continue;
    try {
      if (address.kind === "unix-stream" || address.kind === "tcp") {
        const connection = await options.transport.connectStream(address, {
          timeoutMs: options.timeoutMs,
        });
        await connection.close();
      } else if (address.kind === "unix" || address.kind === "udp") {
        await detectDialect(address, options);
      }
      return candidate;
    } catch {
      // Not this one: the next.
    }
  }
  return null;
}
