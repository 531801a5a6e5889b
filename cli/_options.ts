/**
 * What the subcommands' option definitions share.
 *
 * @module
 */

/**
 * Commander's parser for a repeatable option: each use adds its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect } from "./_options.ts";
 * assert.deepEqual(collect("b", collect("a")), ["a", "b"]);
 * ```
 */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
