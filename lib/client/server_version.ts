/**
 * A server's version, as a line of text: how its reply reads as text (a
 * string, OpenSIPS 3's `{"Server": …}`, a text MI node `Server`). The method
 * that asks it is a fact of the server family (`familyOf(kind).methods.version`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replyText } from "./server_version.ts";
 * import { Members } from "../protocol/value.ts";
 * assert.equal(replyText("kamailio 5.6.3", "Server"), "kamailio 5.6.3");
 * assert.equal(replyText(new Members([["Server", "OpenSIPS (3.6.0)"]]), "Server"), "OpenSIPS (3.6.0)");
 * ```
 *
 * @module
 */
import type { Value } from "../protocol/value.ts";
import { valueToJson } from "../protocol/value_json.ts";

/**
 * The text of a short reply: a string; the member `key` of a struct
 * (OpenSIPS 3's `{"Server": …}`, `{"Help": …}`); the value of the text MI
 * node of that name; or else its JSON, cut to 300 characters.
 */
export function replyText(value: Value, key: string): string {
  if (typeof value === "string") return value;
  const data = JSON.parse(valueToJson(value)) as unknown;
  const pick = (d: unknown): unknown => {
    if (Array.isArray(d)) {
      const node = d.find((n) =>
        n !== null && typeof n === "object" && (n as { name?: unknown }).name === key
      );
      return node ? (node as { value?: unknown }).value : d.length === 1 ? pick(d[0]) : undefined;
    }
    return d !== null && typeof d === "object" ? (d as Record<string, unknown>)[key] : undefined;
  };
  const picked = pick(data);
  if (typeof picked === "string") return picked;
  const text = JSON.stringify(data);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
