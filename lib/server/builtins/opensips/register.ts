/**
 * The built-ins of OpenSIPS 3.x (3.6) in its JSON layout and names, for the
 * JSON-RPC dialect: the commands of `mi/mi_core.c` and `statistics.c`, each
 * with OpenSIPS's parameter recipes, results and errors.
 *
 * @module
 */
import type { Value } from "../../../protocol/value.ts";
import { RpcError } from "../../rpc_error.ts";
import type { CommandRegistry } from "../../registry.ts";
import type { HandlerContext } from "../../types.ts";
import type { BuiltinHost } from "../host.ts";
import { ctime } from "../_ctime.ts";
import { registerBuiltinTable } from "../_register_builtins.ts";
import { cacheBuiltins } from "./_cache.ts";
import { invalidParams, RecipeParams } from "./_params.ts";
import type { OpenSipsBuiltin } from "./_spec.ts";
import { statisticsBuiltins } from "./_statistics.ts";

/** What OpenSIPS calls each process of the stand-in (`ps`, `log_level`). */
const PROCESS_TYPE = "midgram";
/** The log level reported when the host keeps none (OpenSIPS's default, `L_NOTICE`). */
const DEFAULT_LOG_LEVEL = 3;

/** Options of {@linkcode registerOpenSipsBuiltins}. */
export interface OpenSipsBuiltinOptions {
  /** Built-in names not to register. */
  disable?: string[];
}

function coreBuiltins(host: BuiltinHost, builtins: () => OpenSipsBuiltin[]): OpenSipsBuiltin[] {
  const info = host.host;
  const core = (
    name: string,
    help: string,
    recipes: string[][],
    handler: OpenSipsBuiltin["handler"],
  ): OpenSipsBuiltin => ({ name, module: "core", help, recipes, handler });
  const known = (ctx: HandlerContext, name: string) => ctx.commands().includes(name);
  return [
    core("uptime", "prints when the server started and for how long it runs", [[]], () => {
      const now = info.now();
      const seconds = Math.max(0, Math.floor((now.getTime() - host.startedAt.getTime()) / 1000));
      return {
        "Now": ctime(now),
        "Up since": ctime(host.startedAt),
        "Up time": `${seconds} [sec]`,
      };
    }),
    core(
      "version",
      "prints the version string of the running server",
      [[], ["revision"]],
      (params): Value => {
        // With `revision`, OpenSIPS adds "<VCS>": "<revision>"; a build from a
        // release tarball has neither, so both are empty.
        if (new RecipeParams(params, [["revision"]]).has("revision")) {
          return { "Server": host.version, "": "" };
        }
        return { "Server": host.version };
      },
    ),
    core("pwd", "prints the working directory of the server", [[]], () => ({ "WD": info.cwd() })),
    core("arg", "returns the full list of arguments used at startup", [[]], () => [...info.argv]),
    core(
      "which",
      "lists the available commands, or the parameter recipes of one",
      [[], ["command"]],
      (params, ctx) => {
        const p = new RecipeParams(params, [["command"]]);
        if (!p.has("command")) return ctx.commands();
        const name = p.string("command");
        if (!known(ctx, name)) throw new RpcError(404, "unknown MI command");
        const recipes = builtins().find((b) => b.name === name)?.recipes ?? [];
        return recipes.map((r) => [...r]);
      },
    ),
    core("ps", "lists the processes of the server", [[]], () => ({
      "Processes": [{ "ID": 0, "PID": info.pid, "Type": PROCESS_TYPE }],
    })),
    core("kill", "terminates the server", [[]], (_params, ctx) => {
      // Reply first, then stop.
      ctx.afterReply(() => info.onKill?.());
      return "OK";
    }),
    core(
      "log_level",
      "gets or sets the log level, of the whole server or of one process",
      [[], ["level"], ["level", "pid"]],
      (params): Value => {
        const p = new RecipeParams(params, [["level"], ["level", "pid"]]);
        if (!p.has("level")) {
          return {
            "Processes": [{
              "PID": info.pid,
              "Log level": info.logLevel?.() ?? DEFAULT_LOG_LEVEL,
              "Type": PROCESS_TYPE,
            }],
          };
        }
        // OpenSIPS reads `pid` first; a pid of 0 means the global level.
        const pid = p.has("pid") ? p.int("pid") : 0;
        const level = p.int("level");
        if (pid !== 0 && pid !== info.pid) throw invalidParams("Bad PID");
        info.onLogLevel?.(level);
        return pid === 0 ? { "New global log level": level } : { "Log level": level };
      },
    ),
    core(
      "help",
      "prints what a command does: help mi_cmd",
      [[], ["mi_cmd"]],
      (params, ctx): Value => {
        const p = new RecipeParams(params, [["mi_cmd"]]);
        if (!p.has("mi_cmd")) return "Usage: help mi_cmd - returns information about 'mi_cmd'";
        const name = p.string("mi_cmd");
        const text = known(ctx, name) ? ctx.help(name) : undefined;
        if (text === undefined) throw new RpcError(404, "unknown MI command");
        const module = builtins().find((b) => b.name === name)?.module;
        const help = text === "" ? "not available for this command" : text;
        return module ? { "Help": help, "Exported by": module } : { "Help": help };
      },
    ),
  ];
}

/** Every OpenSIPS built-in name, in registration order. */
export const OPENSIPS_BUILTINS: readonly string[] = [
  "uptime",
  "version",
  "pwd",
  "arg",
  "which",
  "ps",
  "kill",
  "log_level",
  "help",
  "cache_store",
  "cache_fetch",
  "cache_remove",
  "get_statistics",
  "list_statistics",
  "reset_statistics",
  "reset_all_statistics",
];

/**
 * Registers the OpenSIPS 3.x built-ins (those of {@linkcode OPENSIPS_BUILTINS}
 * not disabled), each with its OpenSIPS parameter recipes. Throws TypeError
 * for an unknown name in `disable`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandRegistry } from "../../registry.ts";
 * import { CacheStore } from "../cache_store.ts";
 * import { registerOpenSipsBuiltins } from "./register.ts";
 *
 * const registry = new CommandRegistry();
 * registerOpenSipsBuiltins(registry, {
 *   host: { pid: 42, cwd: () => "/", argv: ["midgram"], runtime: "node 20", now: () => new Date() },
 *   startedAt: new Date(),
 *   version: "midgram 0.2.0 (node 20.20.2)",
 *   stats: () => ({}),
 *   resetStats: () => [],
 *   cache: new CacheStore(() => Date.now()),
 * }, { disable: ["kill"] });
 * assert.deepEqual(registry.get("cache_store")?.recipes, [
 *   ["system", "attr", "value"],
 *   ["system", "attr", "value", "expire"],
 * ]);
 * assert.equal(registry.get("kill"), undefined);
 * ```
 */
export function registerOpenSipsBuiltins(
  registry: CommandRegistry,
  host: BuiltinHost,
  options: OpenSipsBuiltinOptions = {},
): void {
  registerBuiltinTable(registry, "OpenSIPS", OPENSIPS_BUILTINS, options.disable ?? [], () => {
    const all: OpenSipsBuiltin[] = [
      ...coreBuiltins(host, () => all),
      ...cacheBuiltins(host),
      ...statisticsBuiltins(host),
    ];
    return all;
  });
}
