/**
 * `cache_store`, `cache_fetch`, `cache_remove`: an in-memory cache with
 * expiry, with OpenSIPS 2.4's arguments (`system attr value [expires]`) and replies.
 *
 * @module
 */
import { node } from "../../protocol/mi/reply_builders.ts";
import { MiReplyError } from "../mi_reply_error.ts";
import type { MiServer } from "../server.ts";
import type { MiArgument } from "../../protocol/mi/types.ts";

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
export function registerCache(server: MiServer, enabled: (name: string) => boolean): void {
  const entries = new Map<string, { value: string; expires: number }>();
  const key = (system: string, attr: string) => `${system}\0${attr}`;
  const now = () => server.host.now().getTime();
  const live = (k: string) => {
    const entry = entries.get(k);
    if (entry && entry.expires !== 0 && entry.expires <= now()) {
      entries.delete(k);
      return undefined;
    }
    return entry;
  };
  if (enabled("cache_store")) {
    server.register("cache_store", (args) => {
      const system = need(args, 0, "Empty memory cache id");
      const attr = need(args, 1, "Empty attribute name");
      const value = need(args, 2, "Empty value argument");
      let expires = 0;
      if (args.length > 3) {
        const text = need(args, 3, "Empty expires argument");
        if (!/^\d+$/.test(text)) throw fail("Bad format for expires argument");
        if (args.length > 4) throw fail("Too many parameters");
        expires = Number(text) === 0 ? 0 : now() + Number(text) * 1000;
      }
      entries.set(key(system, attr), { value, expires });
    }, { help: "stores a value: cache_store SYSTEM ATTR VALUE [EXPIRES_SECONDS]" });
  }
  if (enabled("cache_fetch")) {
    server.register("cache_fetch", (args) => {
      const [system, attr] = systemAndAttr(args, "Too many arguments");
      const entry = live(key(system, attr));
      return [node(null, entry ? `${attr} = [${entry.value}]` : "Value not found")];
    }, { help: "fetches a value: cache_fetch SYSTEM ATTR" });
  }
  if (enabled("cache_remove")) {
    server.register("cache_remove", (args) => {
      const [system, attr] = systemAndAttr(args, "Too many parameters");
      entries.delete(key(system, attr));
    }, { help: "removes a value: cache_remove SYSTEM ATTR" });
  }
}
