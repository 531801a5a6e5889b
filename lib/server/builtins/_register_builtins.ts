/**
 * Registers one flavour's table of built-ins, less the names disabled:
 * the OpenSIPS 3.x and the Kamailio sets share it.
 *
 * @module
 */
import { MidgramError } from "../../errors.ts";
import type { CommandRegistry } from "../registry.ts";
import type { Handler } from "../types.ts";

/** A built-in as a flavour's table lists it. */
export interface BuiltinEntry {
  name: string;
  help: string;
  handler: Handler;
  /** OpenSIPS-3-style parameter recipes, where the flavour has them. */
  recipes?: string[][];
}

/**
 * Registers `entries()` in table order, leaving out the names in `disable`.
 * Every disabled name must be one of `known`, checked before any entry is
 * made.
 *
 * @throws {TypeError} for a disabled name the flavour does not have, naming `flavour`.
 */
export function registerBuiltinTable(
  registry: CommandRegistry,
  flavour: string,
  known: readonly string[],
  disable: readonly string[],
  entries: () => BuiltinEntry[],
): void {
  for (const name of disable) {
    if (!known.includes(name)) {
      throw new MidgramError("usage", `Unknown ${flavour} built-in "${name}" to disable`);
    }
  }
  for (const entry of entries()) {
    if (disable.includes(entry.name)) continue;
    registry.register(entry.name, entry.handler, { help: entry.help, recipes: entry.recipes });
  }
}
