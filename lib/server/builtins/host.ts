import type { AnyAddress } from "../../transport/types.ts";
import type { HostInfo } from "../types.ts";
import type { CacheStore } from "./cache_store.ts";

/**
 * What every built-in set needs from the server: who it is, its counters and
 * the state shared by all flavours. Built-ins see only this, never the server.
 */
export interface BuiltinHost {
  readonly host: HostInfo;
  readonly startedAt: Date;
  /** The version text, e.g. `midgram 0.2.0 (node 20.20.2)`. */
  readonly version: string;
  /** The counters, `group:name` → value. */
  stats(): Record<string, number>;
  /** Resets counters (all when no names are given); returns the names reset. */
  resetStats(names?: string[]): string[];
  /** The cache of `cache_store` and its kin. */
  readonly cache: CacheStore;
  /** The sockets served, with their dialects (`ctl.listen`). */
  servedSockets?(): { dialect: string; address: AnyAddress }[];
  /** The open stream connections: who, and on which socket (`ctl.who`). */
  openConnections?(): { dialect: string; peer: AnyAddress | null; local: AnyAddress }[];
}
