/**
 * What a served socket is bound to: its dialect's codec, the built-in
 * commands it offers, and its group of counters.
 *
 * @module
 */
import type { ServerCodec } from "../protocol/dialect.ts";
import type { Peer } from "../protocol/peer.ts";
import type { BuiltinFlavour } from "./types.ts";

/** Counters of each dialect's group, made at start so `get_statistics` lists them. */
export const COUNTERS = [
  "requests",
  "bytes_in",
  "bytes_out",
  "empty",
  "oversized",
  "unknown_commands",
  "parse_errors",
  "invalid_requests",
  "handler_errors",
  "handler_timeouts",
  "busy",
  "oversized_replies",
  "unrepresentable_replies",
  "denied",
  "send_errors",
  "no_reply_address",
  "receive_errors",
  "idle_timeouts",
  "connections_refused",
] as const;

export const REFUSAL_COUNTER: Record<string, CounterName> = {
  "empty": "empty",
  "too-large": "oversized",
  "parse-error": "parse_errors",
  "invalid-request": "invalid_requests",
  "method-not-found": "unknown_commands",
  "unsupported": "invalid_requests",
};

export type CounterName = typeof COUNTERS[number];

/** One served socket: how it is spoken and which built-ins it offers. */
export interface Binding {
  /** Every fact about the peer this socket answers as. */
  peer: Peer;
  codec: ServerCodec;
  flavour: BuiltinFlavour;
  group: string;
  /** `group:name` of each counter, made once: no string is built per request. */
  keys: Record<CounterName, string>;
  /** `group_cmd:METHOD` of the registered commands called so far (bounded by the registry). */
  commandKeys: Map<string, string>;
}

/** `group:name` of every counter of a group. */
export function counterKeys(group: string): Record<CounterName, string> {
  const keys = {} as Record<CounterName, string>;
  for (const name of COUNTERS) keys[name] = `${group}:${name}`;
  return keys;
}
