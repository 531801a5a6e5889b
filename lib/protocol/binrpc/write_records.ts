import type { Value } from "../value.ts";
import { _writeValues } from "./_write.ts";

/**
 * Writes values as the records of a packet body, exactly as Kamailio's `ctl`
 * writes them: integers on the fewest bytes (negatives on 4), strings with
 * their NUL counted, doubles as the value ×1000 truncated to a signed 64-bit
 * integer, `Uint8Array` as bytes, structs as avp lists, and arrays as structs
 * of plain values (ctl has no array records on the wire). A whole `number` in
 * the 32-bit range is an int, any other number a double; `true`/`false` are
 * ints 1/0; `null` is the string `<null string>` (ctl's text for a NULL string).
 * Throws `MidgramError` (`unrepresentable`) for anything that is not a `Value`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeRecords } from "./write_records.ts";
 * import { Double } from "../value.ts";
 * assert.deepEqual(
 *   writeRecords([-5, "a", new Double(1.5)]),
 *   Uint8Array.from([0x40, 0xff, 0xff, 0xff, 0xfb, 0x21, 0x61, 0x00, 0x22, 0x05, 0xdc]),
 * );
 * ```
 */
export function writeRecords(values: readonly Value[]): Uint8Array {
  return _writeValues(values);
}
