import type { Handler } from "../../types.ts";

/** One OpenSIPS built-in: its name, what `help` says of it, its recipes and handler. */
export interface OpenSipsBuiltin {
  name: string;
  /** The OpenSIPS module that exports it (`help`'s `Exported by`). */
  module: "core" | "statistics";
  help: string;
  recipes: string[][];
  handler: Handler;
}
