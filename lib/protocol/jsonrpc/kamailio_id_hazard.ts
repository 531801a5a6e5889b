/**
 * Kamailio 5.6's `jsonrpcs` echoes a numeric `id` through srjson, which
 * prints a number that is not a 32-bit integer but is whole with `%.0f`
 * into a 64-byte buffer: an id whose digits (and sign) take 64 characters or
 * more writes past it. The real server then stops (1e80: `malloc(): invalid
 * size`, SIGABRT; 1e300: SIGBUS) or sends no reply (1e100); 1e61 and 1e70
 * were still answered. An id beyond a double's range (1e400) is read as
 * infinity and echoed as `inf`, which no JSON reader takes. One definition for `parse --flavour kamailio`, the
 * fuzzer's safe mode and the crash corpus.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kamailioIdHazard } from "./kamailio_id_hazard.ts";
 * assert.equal(kamailioIdHazard(1e20), undefined);
 * assert.match(kamailioIdHazard(1e300)!, /crash/);
 * assert.match(kamailioIdHazard(Infinity)!, /inf/);
 * ```
 */
export function kamailioIdHazard(id: number): string | undefined {
  if (Number.isNaN(id)) return undefined;
  if (!Number.isFinite(id)) {
    // srjson reads 1e400 as infinity and prints it with `%e`: `"id": inf`.
    return `'id' is out of a double's range: Kamailio 5.6 echoes it as ${
      id > 0 ? "inf" : "-inf"
    }, a reply that is no JSON`;
  }
  if (!Number.isInteger(id)) return undefined;
  if (id >= -2147483648 && id <= 2147483647) return undefined;
  const text = BigInt(id).toString();
  if (text.length < 64) return undefined;
  return `'id' ${
    text.length > 12 ? `of ${text.length} digits` : text
  } overflows Kamailio 5.6's 64-byte number buffer when it is echoed: the server crashes or sends no reply`;
}
