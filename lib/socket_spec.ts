/**
 * A socket as the command line and the config name it: an address, and the
 * dialect spoken there, written `[DIALECT[/FLAVOUR]=]ADDRESS`
 * (`jsonrpc=/run/opensips/mi.sock`, `binrpc=tcp:127.0.0.1:2049`,
 * `jsonrpc/kamailio=/run/kamailio/jsonrpc.sock`, or a bare address whose
 * dialect comes from `--dialect`).
 *
 * @module
 */
import type { DialectName, Flavour } from "./protocol/dialect.ts";
import { MidgramError } from "./errors.ts";
import { parseAddress } from "./transport/address.ts";
import type { AnyAddress } from "./transport/types.ts";

/** A dialect, or `auto`: find out by asking (clients only). */
export type DialectChoice = DialectName | "auto";

export type { Flavour };

/** A socket and the dialect spoken there. */
export interface SocketSpec {
  /** The address as the user wrote it (without the dialect prefix). */
  text: string;
  address: AnyAddress;
  dialect: DialectChoice;
  /** JSON-RPC only: whose answers (server) or conventions (client). */
  flavour?: Flavour;
}

const PREFIX = /^(mi|jsonrpc|binrpc|ctlfifo|auto)(?:\/(opensips|kamailio))?=(.*)$/s;

/** The dialect choices, for `--dialect` and its help. */
export const DIALECT_CHOICES: readonly DialectChoice[] = [
  "mi",
  "jsonrpc",
  "binrpc",
  "ctlfifo",
  "auto",
];

/**
 * Parses `[DIALECT[/FLAVOUR]=]ADDRESS`. The dialect decides how a bare path
 * reads (kamcmd's rules for binrpc: a UNIX stream socket).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSocketSpec } from "./socket_spec.ts";
 * assert.equal(parseSocketSpec("jsonrpc=udp:127.0.0.1:8080", "mi").dialect, "jsonrpc");
 * assert.deepEqual(parseSocketSpec("/run/x.sock", "mi").address, { kind: "unix", path: "/run/x.sock" });
 * ```
 *
 * @throws {MidgramError} `usage`, naming the text and what is wrong with it.
 */
export function parseSocketSpec(
  text: string,
  dialect: DialectChoice,
  flavour?: Flavour,
): SocketSpec {
  const m = PREFIX.exec(text);
  const chosen = (m ? m[1] : dialect) as DialectChoice;
  const addressText = m ? m[3] : text;
  const spec: SocketSpec = {
    text: addressText,
    address: parseAddressFor(addressText, chosen),
    dialect: chosen,
    flavour: (m?.[2] as Flavour | undefined) ?? flavour,
  };
  if (spec.flavour && spec.dialect !== "jsonrpc" && spec.dialect !== "auto") {
    throw new MidgramError(
      "usage",
      `Cannot use "${text}": a flavour (${spec.flavour}) goes with the jsonrpc dialect only`,
    );
  }
  return spec;
}

/** Parses an address the way the dialect's own tools read it. */
export function parseAddressFor(text: string, dialect: DialectChoice): AnyAddress {
  return parseAddress(text, { dialect: dialect === "auto" ? undefined : dialect });
}

/** Writes a spec back, with its dialect prefix when it has one. */
export function formatSocketSpec(spec: SocketSpec): string {
  if (spec.dialect === "auto") return spec.text;
  return `${spec.dialect}${spec.flavour ? `/${spec.flavour}` : ""}=${spec.text}`;
}
