/**
 * The built-in commands, one set per real server's layout: OpenSIPS 2.4
 * (text MI, PROTOCOL.md §6), OpenSIPS 3.x (JSON-RPC) and Kamailio 5.x
 * (binrpc and jsonrpcs).
 *
 * @module
 */
import { MidgramError } from "../../errors.ts";
import { CommandRegistry } from "../registry.ts";
import type { BuiltinFlavour } from "../types.ts";
import { registerCache } from "./cache.ts";
import { registerControl } from "./control.ts";
import type { BuiltinHost } from "./host.ts";
import { registerInfo } from "./info.ts";
import { miCommandSet } from "./mi_set.ts";
import { registerStatistics } from "./statistics.ts";
import { OPENSIPS_BUILTINS, registerOpenSipsBuiltins } from "./opensips/register.ts";
import { KAMAILIO_BUILTINS, registerKamailioBuiltins } from "./kamailio/register.ts";

/** Every built-in command name of the OpenSIPS 2.4 set. */
export const BUILTIN_COMMANDS = [
  "which",
  "help",
  "version",
  "uptime",
  "pwd",
  "arg",
  "ps",
  "kill",
  "log_level",
  "get_statistics",
  "list_statistics",
  "reset_statistics",
  "cache_store",
  "cache_fetch",
  "cache_remove",
] as const;

/** The built-in names of each flavour. */
export const BUILTIN_NAMES: Record<BuiltinFlavour, readonly string[]> = {
  "opensips-2.4": BUILTIN_COMMANDS,
  "opensips": OPENSIPS_BUILTINS,
  "kamailio": KAMAILIO_BUILTINS,
};

/** Builds the built-in set of every flavour, less the disabled names. */
export function builtinSets(
  host: BuiltinHost,
  options: { disable: string[] },
): Record<BuiltinFlavour, CommandRegistry> {
  const known = new Set(Object.values(BUILTIN_NAMES).flat());
  for (const name of options.disable) {
    if (!known.has(name)) {
      throw new MidgramError("usage", `Unknown built-in command "${name}" to disable`);
    }
  }
  const enabled = (name: string) => !options.disable.includes(name);
  const mi = new CommandRegistry();
  const set = miCommandSet(mi);
  registerControl(set, host, enabled);
  registerInfo(set, host, enabled);
  registerStatistics(set, host, enabled);
  registerCache(set, host, enabled);
  const only = (flavour: BuiltinFlavour) =>
    options.disable.filter((n) => BUILTIN_NAMES[flavour].includes(n));
  const opensips = new CommandRegistry();
  registerOpenSipsBuiltins(opensips, host, { disable: only("opensips") });
  const kamailio = new CommandRegistry();
  registerKamailioBuiltins(kamailio, host, { disable: only("kamailio") });
  return { "opensips-2.4": mi, "opensips": opensips, "kamailio": kamailio };
}
