import {
  type MiArgument,
  type MiNode,
  type MiReply,
  miResult,
  okReply,
} from "../../protocol/mi/mod.ts";
import type { CommandRegistry } from "../registry.ts";
import type { CommandOptions, HandlerContext } from "../types.ts";

/** A handler in the OpenSIPS 2.4 layout: argument lines in, reply nodes out. */
export type MiHandler = (
  args: MiArgument[],
  context: HandlerContext,
) => MiReply | MiNode[] | void | Promise<MiReply | MiNode[] | void>;

/** Registers 2.4-layout handlers into a registry, their replies kept native to the text dialect. */
export interface MiCommandSet {
  register(name: string, handler: MiHandler, options?: CommandOptions): void;
}

/**
 * A {@linkcode MiCommandSet} over a registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandRegistry } from "../registry.ts";
 * import { miCommandSet } from "./mi_set.ts";
 * const registry = new CommandRegistry();
 * miCommandSet(registry).register("ping", () => []);
 * assert.deepEqual(registry.names(), ["ping"]);
 * ```
 */
export function miCommandSet(registry: CommandRegistry): MiCommandSet {
  return {
    register(name, handler, options) {
      registry.register(name, async (_params, context) => {
        const out = await handler(context.args, context);
        return miResult(Array.isArray(out) ? okReply(out) : out ?? okReply());
      }, options);
    },
  };
}
