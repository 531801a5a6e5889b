/**
 * The built-in commands of the real servers (PROTOCOL.md §6).
 *
 * @module
 */
import type { MiServer } from "../server.ts";
import { registerCache } from "./cache.ts";
import { registerControl } from "./control.ts";
import { registerInfo } from "./info.ts";
import { registerStatistics } from "./statistics.ts";

/** Every built-in command name. */
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

/** Registers the built-ins, except the disabled ones. */
export function registerBuiltins(
  server: MiServer,
  options: { disable: string[]; version: string },
): void {
  for (const name of options.disable) {
    if (!(BUILTIN_COMMANDS as readonly string[]).includes(name)) {
      throw new TypeError(`Unknown built-in command "${name}" to disable`);
    }
  }
  const enabled = (name: string) => !options.disable.includes(name);
  registerControl(server, enabled);
  registerInfo(server, options.version, enabled);
  registerStatistics(server, enabled);
  registerCache(server, enabled);
}
