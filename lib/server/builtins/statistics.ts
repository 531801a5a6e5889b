/**
 * `get_statistics`, `list_statistics`, `reset_statistics`: the server's own
 * counters, each named `group:name`.
 *
 * @module
 */
import { node } from "../../protocol/mi/mod.ts";
import { TOO_FEW_OR_TOO_MANY } from "../mi_reply_error.ts";
import type { BuiltinHost } from "./host.ts";
import type { MiCommandSet } from "./mi_set.ts";

function select(all: Record<string, number>, patterns: string[]): string[] {
  const names = Object.keys(all).sort();
  const out = new Set<string>();
  for (const pattern of patterns) {
    if (pattern === "all") names.forEach((n) => out.add(n));
    else if (pattern.endsWith(":")) {
      names.filter((n) => n.startsWith(pattern)).forEach((n) => out.add(n));
    } else if (pattern in all) out.add(pattern);
  }
  return [...out];
}

/** Registers the statistics commands. */
export function registerStatistics(
  set: MiCommandSet,
  server: BuiltinHost,
  enabled: (name: string) => boolean,
): void {
  if (enabled("get_statistics")) {
    set.register("get_statistics", (args) => {
      if (args.length === 0) throw TOO_FEW_OR_TOO_MANY();
      const all = server.stats();
      return select(all, args.map((a) => a.value ?? "")).map((n) => node(n, String(all[n])));
    }, { help: "prints counters: get_statistics all | group: | group:name ..." });
  }
  if (enabled("list_statistics")) {
    set.register("list_statistics", () => {
      const all = server.stats();
      return Object.keys(all).sort().map((n) => node(n, "incremental"));
    }, { noInput: true, help: "lists every counter" });
  }
  if (enabled("reset_statistics")) {
    set.register("reset_statistics", (args) => {
      if (args.length === 0) throw TOO_FEW_OR_TOO_MANY();
      server.resetStats(select(server.stats(), args.map((a) => a.value ?? "")));
    }, { help: "resets counters: reset_statistics all | group: | group:name ..." });
  }
}
