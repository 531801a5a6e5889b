import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { MidgramError } from "../errors.ts";
import type { AnyAddress } from "./types.ts";

/**
 * Resolves the host name of a UDP or TCP address to an IP literal (the first
 * address the resolver gives); other addresses and IP literals pass through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveAddress } from "./resolve_address.ts";
 * const address = await resolveAddress({ kind: "udp", host: "localhost", port: 8080 });
 * assert.ok(
 *   address.kind === "udp" && ["127.0.0.1", "::1"].includes(address.host) && address.port === 8080,
 * );
 * ```
 *
 * @throws {MidgramError} `not-found` naming the host.
 */
export async function resolveAddress<T extends AnyAddress>(address: T): Promise<T> {
  if ((address.kind !== "udp" && address.kind !== "tcp") || isIP(address.host) !== 0) {
    return address;
  }
  try {
    const { address: host } = await lookup(address.host);
    return { ...address, host };
  } catch (error) {
    throw new MidgramError(
      "not-found",
      `Cannot resolve host "${address.host}": ${(error as { code?: string }).code ?? error}`,
      { cause: error },
    );
  }
}
