/**
 * The process-wide metrics each server kind answers besides its statistics:
 * uptime, the number of processes and (Kamailio) private memory per
 * process. Shared memory comes with the statistics (`shmem` group). Pure.
 *
 * @module
 */
import { isStruct, type Params, structEntries, type Value } from "../protocol/value.ts";
import { fromMiNodes, walk } from "./path.ts";
import type { Sample } from "./sample.ts";
import { prefixOf, type ServerKind } from "./server_kind.ts";
import { numberOf } from "./statistics.ts";

/** One call and how its reply becomes samples. */
export interface ProcessProbe {
  method: string;
  params: Params;
  samples(reply: Value, labels: Readonly<Record<string, string>>): Sample[];
}

const NONE: Params = { kind: "positional", values: [] };

/** A leading number in a text such as `"123 [sec]"`. */
function leadingNumber(value: Value | undefined): number | null {
  const n = numberOf(value);
  if (n !== null) return n;
  const m = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)/.exec(value) : null;
  return m ? Number(m[1]) : null;
}

function one(kind: ServerKind, metric: string, help: string) {
  return (value: number | null, labels: Readonly<Record<string, string>>): Sample[] =>
    value === null
      ? []
      : [{ name: `${prefixOf(kind)}_${metric}`, type: "gauge", help, labels, value }];
}

const UPTIME_HELP = "Seconds since the server started";
const PROCESSES_HELP = "Processes of the server";

/** Kamailio `pkg.stats` fields → the names OpenSIPS's `pkmem` statistics use. */
const PKG_FIELDS: Record<string, string> = {
  used: "used_size",
  real_used: "real_used_size",
  free: "free_size",
  total_size: "total_size",
  total_frags: "fragments",
};

/**
 * The process-wide probes of a server kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { processProbes } from "./process_metrics.ts";
 * assert.deepEqual(processProbes("kamailio").map((p) => p.method), ["core.uptime", "core.psx", "pkg.stats"]);
 * ```
 */
export function processProbes(kind: ServerKind): ProcessProbe[] {
  const uptime = one(kind, "uptime_seconds", UPTIME_HELP);
  const processes = one(kind, "processes", PROCESSES_HELP);
  if (kind === "kamailio") {
    return [
      {
        method: "core.uptime",
        params: NONE,
        samples: (reply, labels) => uptime(leadingNumber(walk(reply, "uptime")[0]?.value), labels),
      },
      {
        method: "core.psx",
        params: NONE,
        samples: (reply, labels) => processes(walk(reply, "[]").length, labels),
      },
      {
        method: "pkg.stats",
        params: NONE,
        samples: (reply, labels) =>
          walk(reply, "[]").flatMap(({ value }) => {
            if (!isStruct(value)) return [];
            const entries = new Map(structEntries(value));
            const process = String(entries.get("entry") ?? "");
            return Object.entries(PKG_FIELDS).flatMap(([field, name]): Sample[] => {
              const n = numberOf(entries.get(field));
              return n === null ? [] : [{
                name: `kamailio_pkmem_${name}`,
                type: "gauge",
                help: `Private memory of each process: ${field} (pkg.stats)`,
                labels: { ...labels, process },
                value: n,
              }];
            });
          }),
      },
    ];
  }
  return [
    {
      method: "uptime",
      params: NONE,
      samples: (reply, labels) =>
        uptime(leadingNumber(walk(fromMiNodes(reply), "Up time")[0]?.value), labels),
    },
    {
      method: "ps",
      params: NONE,
      samples: (reply, labels) => {
        // OpenSIPS 3: {"Processes": [...]}; 2.4: one `Process` node each.
        if (Array.isArray(reply)) {
          return processes(
            reply.filter((n) => (n as { name?: unknown }).name === "Process").length,
            labels,
          );
        }
        return processes(walk(reply, "Processes[]").length, labels);
      },
    },
  ];
}
