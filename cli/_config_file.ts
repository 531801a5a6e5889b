/**
 * Finding and reading the configuration file (the I/O side of lib/config).
 *
 * Search order: `--config FILE`, then `$MIDGRAM_CONFIG`, then
 * `./midgram.toml`, then `$XDG_CONFIG_HOME/midgram/config.toml` (or
 * `~/.config/midgram/config.toml`), then `/etc/midgram/midgram.toml`. The
 * first that exists wins; none means defaults.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, parseConfig } from "../lib/config/parse_config.ts";
import { MidgramError } from "../lib/errors.ts";

/** The files looked at, in order, when no file is named. */
export function configSearchPath(env: Record<string, string | undefined>): string[] {
  const xdg = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, ".config") : "");
  return [
    "midgram.toml",
    ...(xdg ? [join(xdg, "midgram", "config.toml")] : []),
    "/etc/midgram/midgram.toml",
  ];
}

/**
 * Loads the configuration.
 *
 * @throws {MidgramError} `usage` when a named file cannot be read, `config` when it is wrong.
 */
export function loadConfig(
  options: { path?: string; env: Record<string, string | undefined> },
): { config: Config; file: string | null } {
  const named = options.path ?? options.env.MIDGRAM_CONFIG;
  const candidates = named ? [named] : configSearchPath(options.env);
  for (const file of candidates) {
    if (!named && !existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
        ? "permission denied"
        : String(error);
      throw new MidgramError("usage", `Cannot read config "${file}": ${why}`);
    }
    return { config: parseConfig(text, file), file };
  }
  return { config: { server: { sockets: [] }, client: {}, commands: {} }, file: null };
}
