/**
 * `cache_store`, `cache_fetch`, `cache_remove` as OpenSIPS 3.6's
 * `mi/mi_core.c` answers them, over the host's bounded cache.
 *
 * @module
 */
import { RpcError } from "../../rpc_error.ts";
import type { BuiltinHost } from "../host.ts";
import { invalidParams, RecipeParams } from "./_params.ts";
import type { OpenSipsBuiltin } from "./_spec.ts";

const KEY = [["system", "attr"]];
const STORE = [["system", "attr", "value"], ["system", "attr", "value", "expire"]];

/** `system` and `attr`, each refused when empty, in the order OpenSIPS reads them. */
function systemAndAttr(p: RecipeParams): [string, string] {
  const system = p.string("system");
  if (system === "") throw invalidParams("Empty memory cache id");
  const attr = p.string("attr");
  if (attr === "") throw invalidParams("Empty attribute name");
  return [system, attr];
}

/** The cache built-ins. */
export function cacheBuiltins(host: BuiltinHost): OpenSipsBuiltin[] {
  return [
    {
      name: "cache_store",
      module: "core",
      help: "stores a string value in a cache system, for ever or for expire seconds",
      recipes: STORE,
      handler: (params) => {
        const p = new RecipeParams(params, STORE);
        let expire = 0;
        if (p.has("expire")) {
          // OpenSIPS reads `expire` before the others.
          expire = p.int("expire");
          if (expire < 0) throw invalidParams("Negative expire value");
        }
        const [system, attr] = systemAndAttr(p);
        const value = p.string("value");
        if (value === "") throw invalidParams("Empty value");
        // A store the cache cannot take fails as a failed cachedb store does.
        if (!host.cache.store(system, attr, value, expire)) {
          throw new RpcError(500, "Cache store command failed");
        }
        return "OK";
      },
    },
    {
      name: "cache_fetch",
      module: "core",
      help: "fetches a value from a cache system",
      recipes: KEY,
      handler: (params) => {
        const [system, attr] = systemAndAttr(new RecipeParams(params, KEY));
        const value = host.cache.fetch(system, attr);
        if (value === undefined || value === "") throw new RpcError(400, "Value not found");
        return { key: attr, value };
      },
    },
    {
      name: "cache_remove",
      module: "core",
      help: "removes a value from a cache system",
      recipes: KEY,
      handler: (params) => {
        const [system, attr] = systemAndAttr(new RecipeParams(params, KEY));
        host.cache.remove(system, attr);
        return "OK";
      },
    },
  ];
}
