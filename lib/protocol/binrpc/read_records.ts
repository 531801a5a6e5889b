import { Double, Members, type Value } from "../value.ts";
import { _T_ARRAY, _T_BYTES, _T_DOUBLE, _T_INT, _T_STR, _T_STRUCT } from "./_constants.ts";
import { type _Cursor, _cursor, _readRecord } from "./_record.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";

/** Options of {@linkcode readRecords}. */
export interface ReadRecordsOptions {
  /**
   * Accept plain values and arrays inside a struct, as kamcmd does when it
   * reads replies (`ctl` writes an array as a struct of plain values).
   * `false` reads as `ctl` reads requests. Default `true`.
   */
  lenient?: boolean;
  /** The error code for malformed bytes. Default `reply-syntax`. */
  code?: "reply-syntax" | "request-syntax";
  /** Added to the offsets in errors (where `body` starts in its packet). Default 0. */
  offset?: number;
}

const decoder = new TextDecoder();

interface Frame {
  array: boolean;
  name: string | null;
  items: [string | null, Value][];
}

/** The struct or array a frame stands for: all members named → `Members`, else an array. */
function close(frame: Frame): Value {
  if (!frame.array && frame.items.every(([n]) => n !== null)) {
    return new Members(frame.items as [string, Value][]);
  }
  return frame.items.map(([n, v]) => n === null ? v : new Members([[n, v]]));
}

/**
 * Reads the records of a packet body into values, as a flat list (a reply's
 * values, a request's parameters): int → integer `number`, str → `string`
 * (its final NUL dropped), double → {@linkcode Double} (always), bytes →
 * `Uint8Array`, struct → {@linkcode Members} (ordered, names repeated as
 * sent), array → array. A struct holding plain values is an array (that is
 * how `ctl` writes arrays); a struct mixing both is an array where each
 * member becomes a one-member `Members`. Throws {@linkcode BinRpcSyntaxError}
 * and nothing else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRecords } from "./read_records.ts";
 * import { Members } from "../value.ts";
 * const body = Uint8Array.from([0x10, 0x05, 0x03, 0x25, 0x61, 0x00, 0x21, 0x7a, 0x00, 0x83]);
 * assert.deepEqual(readRecords(body), [5, new Members([["a", "z"]])]);
 * ```
 */
export function readRecords(body: Uint8Array, options: ReadRecordsOptions = {}): Value[] {
  const { values, error } = _readRecordsPrefix(body, options);
  if (error) throw error;
  return values;
}

/**
 * Adds a value to the innermost open struct or array, or to the top level.
 * A function of the module, not a closure per call: the bundle's keepNames
 * would define a `name` on each new closure, once per request in a server.
 */
function put(top: Value[], stack: Frame[], name: string | null, v: Value): void {
  const frame = stack.at(-1);
  if (frame) frame.items.push([name, v]);
  else top.push(v);
}

/** The whole top-level values before the first error, and that error (or null). */
export function _readRecordsPrefix(
  body: Uint8Array,
  options: ReadRecordsOptions = {},
): { values: Value[]; error: BinRpcSyntaxError | null } {
  const code = options.code ?? "reply-syntax";
  const base = options.offset ?? 0;
  const c = _cursor(body, options.lenient ?? true);
  const top: Value[] = [];
  const stack: Frame[] = [];
  try {
    while (c.pos < c.end) {
      const r = _readRecord(c);
      const name = r.name === null ? null : decoder.decode(r.name);
      if (name !== null && (stack.length === 0 || stack.at(-1)!.array)) {
        throw new BinRpcSyntaxError("member outside a struct", r.at);
      }
      switch (r.type) {
        case _T_INT:
          put(top, stack, name, r.int);
          break;
        case _T_STR:
          put(top, stack, name, decoder.decode(r.data));
          break;
        case _T_BYTES:
          put(top, stack, name, r.data.slice());
          break;
        case _T_DOUBLE:
          put(top, stack, name, new Double(Number(r.big) / 1000));
          break;
        case _T_STRUCT:
        case _T_ARRAY: {
          const array = r.type === _T_ARRAY;
          if (!r.end) {
            stack.push({ array, name, items: [] });
            break;
          }
          const frame = stack.pop();
          if (!frame || frame.array !== array) {
            throw new BinRpcSyntaxError(
              `end of ${array ? "array" : "struct"} that is not open`,
              r.at,
            );
          }
          put(top, stack, frame.name, close(frame));
          break;
        }
      }
    }
  } catch (e) {
    if (!(e instanceof BinRpcSyntaxError)) throw e;
    const error = new BinRpcSyntaxError(e.detail, base + e.offset, {
      code,
      truncated: e.truncated,
    });
    return { values: top, error };
  }
  if (stack.length > 0) {
    const what = stack.at(-1)!.array ? "array" : "struct";
    const error = new BinRpcSyntaxError(`unterminated ${what}`, base + body.length, {
      code,
      truncated: true,
    });
    return { values: top, error };
  }
  return { values: top, error: null };
}
