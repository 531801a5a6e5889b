/**
 * What the statistics of OpenSIPS and Kamailio mean: one table, read by the
 * exporter (the help text and type of these series) and by `midgram top`
 * (which panel shows each, and how). Each row names the statistic as each
 * server calls it (`group:name`; Kamailio writes `group.name`), whether it
 * counts events (a counter: top shows its rate) or is a level (a gauge), and
 * what it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meaningOf, MEANINGS } from "./meanings.ts";
 * assert.equal(meaningOf("kamailio", "core", "rcv_requests")?.id, "sip.requests_received");
 * assert.equal(meaningOf("opensips", "shmem", "real_used_size")?.type, "gauge");
 * assert.ok(MEANINGS.every((m) => m.opensips !== undefined || m.kamailio !== undefined));
 * ```
 *
 * @module
 */
import { familyOf } from "../protocol/peer.ts";
import type { MetricType } from "./sample.ts";
import type { ServerKind } from "./server_kind.ts";

/** The panels of `midgram top`, in screen order. */
export type Panel =
  | "sip"
  | "replies"
  | "transactions"
  | "dialogs"
  | "registrations"
  | "memory"
  | "errors";

/** One known statistic. */
export interface Meaning {
  /** The field's stable name in `top --json` (`panel.name`). */
  id: string;
  panel: Panel;
  /** A short label for the screen. */
  label: string;
  type: MetricType;
  /** What it is, for the exporter's HELP and top's help screen. */
  help: string;
  /** OpenSIPS's name (2.4 and 3.x), `group:name`. */
  opensips?: string;
  /** Kamailio's name, `group:name` (Kamailio prints `group.name`). */
  kamailio?: string;
}

const both = (name: string) => ({ opensips: name, kamailio: name });

/** The table. */
export const MEANINGS: readonly Meaning[] = [
  // SIP traffic (core)
  {
    id: "sip.requests_received",
    panel: "sip",
    label: "requests in",
    type: "counter",
    help: "SIP requests received",
    ...both("core:rcv_requests"),
  },
  {
    id: "sip.replies_received",
    panel: "sip",
    label: "replies in",
    type: "counter",
    help: "SIP replies received",
    ...both("core:rcv_replies"),
  },
  {
    id: "sip.requests_forwarded",
    panel: "sip",
    label: "requests fwd",
    type: "counter",
    help: "SIP requests forwarded statelessly",
    ...both("core:fwd_requests"),
  },
  {
    id: "sip.replies_forwarded",
    panel: "sip",
    label: "replies fwd",
    type: "counter",
    help: "SIP replies forwarded",
    ...both("core:fwd_replies"),
  },
  // Replies sent by the stateless module, by class
  {
    id: "replies.1xx",
    panel: "replies",
    label: "1xx",
    type: "counter",
    help: "1xx replies sent by sl",
    ...both("sl:1xx_replies"),
  },
  {
    id: "replies.2xx",
    panel: "replies",
    label: "2xx",
    type: "counter",
    help: "2xx replies sent by sl",
    ...both("sl:2xx_replies"),
  },
  {
    id: "replies.3xx",
    panel: "replies",
    label: "3xx",
    type: "counter",
    help: "3xx replies sent by sl",
    ...both("sl:3xx_replies"),
  },
  {
    id: "replies.4xx",
    panel: "replies",
    label: "4xx",
    type: "counter",
    help: "4xx replies sent by sl",
    ...both("sl:4xx_replies"),
  },
  {
    id: "replies.5xx",
    panel: "replies",
    label: "5xx",
    type: "counter",
    help: "5xx replies sent by sl",
    ...both("sl:5xx_replies"),
  },
  {
    id: "replies.6xx",
    panel: "replies",
    label: "6xx",
    type: "counter",
    help: "6xx replies sent by sl",
    ...both("sl:6xx_replies"),
  },
  // Transactions
  {
    id: "transactions.active",
    panel: "transactions",
    label: "active",
    type: "gauge",
    help: "transactions in memory now",
    opensips: "tm:inuse_transactions",
    kamailio: "tmx:active_transactions",
  },
  {
    id: "transactions.uas",
    panel: "transactions",
    label: "UAS",
    type: "counter",
    help: "transactions created as UAS",
    opensips: "tm:UAS_transactions",
    kamailio: "tmx:UAS_transactions",
  },
  {
    id: "transactions.uac",
    panel: "transactions",
    label: "UAC",
    type: "counter",
    help: "transactions created as UAC",
    opensips: "tm:UAC_transactions",
    kamailio: "tmx:UAC_transactions",
  },
  // Dialogs
  {
    id: "dialogs.active",
    panel: "dialogs",
    label: "active",
    type: "gauge",
    help: "confirmed dialogs now",
    ...both("dialog:active_dialogs"),
  },
  {
    id: "dialogs.early",
    panel: "dialogs",
    label: "early",
    type: "gauge",
    help: "early dialogs now",
    ...both("dialog:early_dialogs"),
  },
  {
    id: "dialogs.processed",
    panel: "dialogs",
    label: "processed",
    type: "counter",
    help: "dialogs processed",
    ...both("dialog:processed_dialogs"),
  },
  {
    id: "dialogs.failed",
    panel: "dialogs",
    label: "failed",
    type: "counter",
    help: "dialogs that failed",
    ...both("dialog:failed_dialogs"),
  },
  // Registrations
  {
    id: "registrations.users",
    panel: "registrations",
    label: "users",
    type: "gauge",
    help: "registered users (usrloc)",
    ...both("usrloc:registered_users"),
  },
  {
    id: "registrations.accepted",
    panel: "registrations",
    label: "accepted",
    type: "counter",
    help: "REGISTER requests accepted",
    ...both("registrar:accepted_regs"),
  },
  {
    id: "registrations.rejected",
    panel: "registrations",
    label: "rejected",
    type: "counter",
    help: "REGISTER requests rejected",
    ...both("registrar:rejected_regs"),
  },
  // Shared memory
  {
    id: "memory.shm_used",
    panel: "memory",
    label: "shm used",
    type: "gauge",
    help: "shared memory in use, with the allocator's overhead (bytes)",
    ...both("shmem:real_used_size"),
  },
  {
    id: "memory.shm_total",
    panel: "memory",
    label: "shm total",
    type: "gauge",
    help: "shared memory size (bytes)",
    ...both("shmem:total_size"),
  },
  {
    id: "memory.shm_max_used",
    panel: "memory",
    label: "shm peak",
    type: "gauge",
    help: "the most shared memory ever in use (bytes)",
    ...both("shmem:max_used_size"),
  },
  {
    id: "memory.shm_fragments",
    panel: "memory",
    label: "fragments",
    type: "gauge",
    help: "fragments of shared memory",
    ...both("shmem:fragments"),
  },
  // What went wrong
  {
    id: "errors.requests_dropped",
    panel: "errors",
    label: "req dropped",
    type: "counter",
    help: "requests dropped by the script",
    ...both("core:drop_requests"),
  },
  {
    id: "errors.replies_dropped",
    panel: "errors",
    label: "rpl dropped",
    type: "counter",
    help: "replies dropped by the script",
    ...both("core:drop_replies"),
  },
  {
    id: "errors.requests_failed",
    panel: "errors",
    label: "req errors",
    type: "counter",
    help: "requests that failed to be processed",
    ...both("core:err_requests"),
  },
  {
    id: "errors.replies_failed",
    panel: "errors",
    label: "rpl errors",
    type: "counter",
    help: "replies that failed to be processed",
    ...both("core:err_replies"),
  },
  {
    id: "errors.bad_headers",
    panel: "errors",
    label: "bad headers",
    type: "counter",
    help: "messages with a header that does not parse",
    ...both("core:bad_msg_hdr"),
  },
  {
    id: "errors.sl_failures",
    panel: "errors",
    label: "sl failures",
    type: "counter",
    help: "replies sl failed to send",
    ...both("sl:failures"),
  },
];

const BY_NAME = new Map<string, Meaning>();
for (const m of MEANINGS) {
  if (m.opensips) BY_NAME.set(`opensips ${m.opensips}`, m);
  if (m.kamailio) BY_NAME.set(`kamailio ${m.kamailio}`, m);
}

/** The meaning of a server's statistic, if the table knows it. */
export function meaningOf(kind: ServerKind, group: string, name: string): Meaning | undefined {
  return BY_NAME.get(`${familyOf(kind).flavour} ${group}:${name}`);
}

/** The statistic (`group:name`) that a meaning has on a server kind, if any. */
export function statisticOf(meaning: Meaning, kind: ServerKind): string | undefined {
  return meaning[familyOf(kind).flavour];
}
