/**
 * Standard JSON text for requests (the client side): integers as integers,
 * a whole {@linkcode Double} with `.0`, strings escaped minimally.
 *
 * @module
 */
import { MidgramError } from "../../errors.ts";
import { Double, isStruct, structEntries, type Value } from "../value.ts";

const encoder = new TextEncoder();

function jsonString(out: number[], b: Uint8Array, where: string): void {
  out.push(0x22);
  for (const c of b) {
    if (c === 0) {
      throw new MidgramError(
        "unrepresentable",
        `Cannot send a NUL character in ${where}: the servers cut or refuse it`,
      );
    }
    if (c === 0x22 || c === 0x5c) out.push(0x5c, c);
    else if (c === 10) out.push(0x5c, 0x6e);
    else if (c === 13) out.push(0x5c, 0x72);
    else if (c === 9) out.push(0x5c, 0x74);
    else if (c < 32) {
      for (const ch of `\\u${c.toString(16).padStart(4, "0")}`) out.push(ch.charCodeAt(0));
    } else out.push(c);
  }
  out.push(0x22);
}

function ascii(out: number[], s: string): void {
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

function numberText(n: number, forceDouble: boolean, where: string): string {
  if (!Number.isFinite(n)) {
    throw new MidgramError(
      "unrepresentable",
      `Cannot send the number "${n}" in ${where}: JSON has no such value`,
    );
  }
  const t = JSON.stringify(n);
  return forceDouble && /^-?\d+$/.test(t) ? `${t}.0` : t;
}

/** Appends the JSON text of a value. Throws `unrepresentable`. */
export function writeValue(out: number[], v: Value, where: string, depth = 0): void {
  if (depth > 500) {
    throw new MidgramError("unrepresentable", `Cannot send ${where}: nested too deep`);
  }
  if (v === null) ascii(out, "null");
  else if (v === true) ascii(out, "true");
  else if (v === false) ascii(out, "false");
  else if (typeof v === "number") ascii(out, numberText(v, false, where));
  else if (v instanceof Double) ascii(out, numberText(v.value, true, where));
  else if (typeof v === "string") jsonString(out, encoder.encode(v), where);
  else if (v instanceof Uint8Array) jsonString(out, v, where);
  else if (Array.isArray(v)) {
    out.push(0x5b);
    (v as readonly Value[]).forEach((item, i) => {
      if (i > 0) out.push(0x2c);
      writeValue(out, item, where, depth + 1);
    });
    out.push(0x5d);
  } else if (isStruct(v)) {
    out.push(0x7b);
    structEntries(v).forEach(([name, item], i) => {
      if (i > 0) out.push(0x2c);
      jsonString(out, encoder.encode(name), where);
      out.push(0x3a);
      writeValue(out, item, where, depth + 1);
    });
    out.push(0x7d);
  } else {
    throw new MidgramError(
      "unrepresentable",
      `Cannot send a value of type "${typeof v}" in ${where}`,
    );
  }
}

/** Appends a string as JSON. Throws `unrepresentable` for a NUL. */
export function writeString(out: number[], s: string, where: string): void {
  jsonString(out, encoder.encode(s), where);
}
