import type { Command, CommandOptions, Handler } from "./types.ts";

// A name the first line of a text request can carry and the real servers could register.
// deno-lint-ignore no-control-regex
const NAME_OK = /^[^\s:\x00-\x1f\x7f]+$/;

/**
 * A set of named commands: the user's commands, or one flavour's built-ins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandRegistry } from "./registry.ts";
 * const commands = new CommandRegistry();
 * commands.register("hello", () => "world", { help: "greets" });
 * assert.deepEqual(commands.names(), ["hello"]);
 * assert.equal(commands.get("hello")?.help, "greets");
 * ```
 */
export class CommandRegistry {
  readonly #commands = new Map<string, Command>();

  /** Adds a command. Throws TypeError for a duplicate or an invalid name. */
  register(name: string, handler: Handler, options: CommandOptions = {}): void {
    if (typeof handler !== "function") {
      throw new TypeError(`register(): the handler of "${name}" is not a function`);
    }
    if (!NAME_OK.test(name)) {
      throw new TypeError(
        `register(): invalid command name ${
          JSON.stringify(name)
        }: no white space, ':' or control characters`,
      );
    }
    if (this.#commands.has(name)) {
      throw new TypeError(`register(): command "${name}" is already registered`);
    }
    this.#commands.set(name, {
      handler,
      noInput: options.noInput ?? false,
      help: options.help ?? "",
      recipes: options.recipes,
    });
  }

  /** Removes a command; returns whether it existed. */
  unregister(name: string): boolean {
    return this.#commands.delete(name);
  }

  /** The command of that name. */
  get(name: string): Command | undefined {
    return this.#commands.get(name);
  }

  /** The names, in registration order. */
  names(): string[] {
    return [...this.#commands.keys()];
  }
}
