import { concatBytes } from "../../bytes.ts";
import { Double, isStruct, structEntries, type Value } from "../value.ts";
import { _escape, REPLY_STRUCT } from "./_escape.ts";
import { MAX_REASON, MAX_REPLY_PIECES } from "./limits.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One piece of ctl's reply body (`struct text_chunk`). */
interface Chunk {
  text: string;
  flag: "positional" | "name" | "value" | "none";
  next: Chunk | null;
}

/** The text of a scalar as ctl prints it: `%d`, `%f`, `1`/`0`, the string. */
function scalarText(value: Value): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "1" : "0";
  if (value === null) return "<null string>";
  if (value instanceof Uint8Array) return decoder.decode(value);
  const x = value instanceof Double ? value.value : value as number;
  if (typeof value === "number" && Number.isInteger(x)) return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return x.toFixed(6);
}

/** The members of a container: a struct's, or an array's items named by their index. */
function membersOf(value: Value): (readonly [string, Value])[] | null {
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v] as const);
  if (isStruct(value)) return [...structEntries(value)];
  return null;
}

/** The body as ctl builds it: a list of chunks, members inserted after their struct. */
class Body {
  head: Chunk | null = null;
  last: Chunk | null = null;

  append(chunk: Chunk): void {
    if (this.last) this.last.next = chunk;
    else this.head = chunk;
    this.last = chunk;
  }

  insertAfter(at: Chunk, chunk: Chunk): void {
    chunk.next = at.next;
    at.next = chunk;
    if (this.last === at) this.last = chunk;
  }

  /** `rpc->add()` of one value. */
  add(value: Value): void {
    const members = membersOf(value);
    if (members === null) {
      this.append({ text: _escape(scalarText(value), null), flag: "positional", next: null });
      return;
    }
    const handle: Chunk = { text: "", flag: "none", next: null };
    this.append(handle);
    for (const [name, member] of members) this.structAdd(handle, name, member);
  }

  /** `rpc->struct_add()`: a scalar goes right after the struct; a nested container at the end. */
  structAdd(handle: Chunk, name: string, value: Value): void {
    const nameChunk: Chunk = { text: _escape(name, REPLY_STRUCT), flag: "name", next: null };
    const members = membersOf(value);
    if (members !== null) {
      this.append(nameChunk);
      for (const [n, v] of members) this.structAdd(nameChunk, n, v);
      return;
    }
    this.insertAfter(handle, {
      text: _escape(scalarText(value), REPLY_STRUCT),
      flag: "value",
      next: null,
    });
    this.insertAfter(handle, nameChunk);
  }
}

/**
 * Writes a reply as Kamailio 5.6's ctl does in its FIFO protocol: the status
 * line `CODE REASON`, then the body. Each value of `values` is one line; a
 * struct is one line of `name:value` pairs joined by `,` (names and values
 * escaped, `:` as `\o` and `,` as `\c`), its members in reverse order, as
 * ctl inserts each new member right after the struct; a struct or array
 * inside a struct goes at the end of the reply after its name and `:`; an
 * array's items are members named by their index (ctl's own arrays are
 * corrupt in this protocol). Integers print as `%d`, doubles as `%f`,
 * booleans as `1`/`0`. The reason is cut to 1023 bytes and a line feed in
 * it replaced by a space.
 *
 * @returns `null` when the reply needs more than 1024 pieces: ctl sends nothing then.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Members } from "../value.ts";
 * import { writeCtlFifoReply } from "./write_reply.ts";
 * const bytes = writeCtlFifoReply(200, "OK", ["a:b", new Members([["x", 1], ["y", "p,q"]])]);
 * assert.equal(new TextDecoder().decode(bytes!), "200 OK\na:b\ny:p\\cq,x:1\n");
 * ```
 */
export function writeCtlFifoReply(
  code: number,
  reason: string,
  values: readonly Value[],
): Uint8Array | null {
  const body = new Body();
  for (const value of values) body.add(value);
  // ctl writes the reason as it is; a line feed in it (never one of ctl's own) would end it early.
  let reasonBytes = encoder.encode(reason.replace(/\n/g, " "));
  if (reasonBytes.length > MAX_REASON) reasonBytes = reasonBytes.subarray(0, MAX_REASON);
  let pieces = 4;
  let text = "";
  for (let p = body.head; p !== null; p = p.next) {
    if (p.text !== "") {
      pieces++;
      text += p.text;
    }
    if (p.flag === "none") continue;
    pieces++;
    if (p.flag === "positional") text += "\n";
    else if (p.flag === "name") text += ":";
    else text += p.next?.flag === "name" ? "," : "\n";
  }
  if (pieces > MAX_REPLY_PIECES) return null;
  const head = encoder.encode(`${code} `);
  const rest = encoder.encode(`\n${text}`);
  return concatBytes([head, reasonBytes, rest]);
}
