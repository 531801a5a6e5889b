/**
 * `cache_store`, `cache_fetch`, `cache_remove`: an in-memory cache with
 * expiry, with OpenSIPS 2.4's arguments (`system attr value [expires]`) and replies.
 *
 * @module
 */
import { type MiArgument, node } from "../../protocol/mi/mod.ts";
import { MiReplyError } from "../mi_reply_error.ts";
import type { BuiltinHost } from "./host.ts";
import type { MiCommandSet } from "./mi_set.ts";

const fail = (reason: string) => new MiReplyError(404, reason);

function need(args: MiArgument[], index: number, empty: string): string {
  const value = args[index]?.value;
  if (args[index] === undefined) throw fail("Too few arguments");
  if (!value) throw fail(empty);
  return value;
}

/** The `SYSTEM ATTR` arguments of fetch and remove; more are refused with `tooMany`. */
function systemAndAttr(args: MiArgument[], tooMany: string): [string, string] {
  const system = need(args, 0, "Empty memory cache id");
  const attr = need(args, 1, "Empty attribute name");
  if (args.length > 2) throw fail(tooMany);
  return [system, attr];
}

/** Registers the cache commands. */
export function registerCache(
  set: MiCommandSet,
  server: BuiltinHost,
  enabled: (name: string) => boolean,
): void {
  const cache = server.cache;
  if (enabled("cache_store")) {
    set.register("cache_store", (args) => {
      const system = need(args, 0, "Empty memory cache id");
      const attr = need(args, 1, "Empty attribute name");
      const value = need(args, 2, "Empty value argument");
      let expires = 0;
      if (args.length > 3) {
        const text = need(args, 3, "Empty expires argument");
        if (!/^\d+$/.test(text)) throw fail("Bad format for expires argument");
        if (args.length > 4) throw fail("Too many parameters");
        expires = Number(text);
      }
      // A full cache: the answer of OpenSIPS 2.4 when the store fails.
      if (!cache.store(system, attr, value, expires)) {
        throw new MiReplyError(500, "cache_store command failed");
      }
    }, { help: "stores a value: cache_store SYSTEM ATTR VALUE [EXPIRES_SECONDS]" });
  }
  if (enabled("cache_fetch")) {
    set.register("cache_fetch", (args) => {
      const [system, attr] = systemAndAttr(args, "Too many arguments");
      const value = cache.fetch(system, attr);
      return [node(null, value !== undefined ? `${attr} = [${value}]` : "Value not found")];
    }, { help: "fetches a value: cache_fetch SYSTEM ATTR" });
  }
  if (enabled("cache_remove")) {
    set.register("cache_remove", (args) => {
      const [system, attr] = systemAndAttr(args, "Too many parameters");
      cache.remove(system, attr);
    }, { help: "removes a value: cache_remove SYSTEM ATTR" });
  }
}
