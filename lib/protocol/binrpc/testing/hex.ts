// Test helpers: the readable hex of testdata/binrpc (bytes, `#` comments) and its files.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The bytes of a readable hex text: hex pairs separated by white space, `#` to the line end is a comment. */
export function parseHex(text: string): Uint8Array {
  const hex = text.split("\n").map((l) => l.replace(/#.*/, "")).join(" ").trim();
  if (hex === "") return new Uint8Array(0);
  return Uint8Array.from(hex.split(/\s+/), (h) => {
    if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error(`Bad hex pair "${h}"`);
    return parseInt(h, 16);
  });
}

/** Directory of testdata/binrpc/NAME. */
export function testdata(name: string): string {
  return fileURLToPath(new URL(`../../../../testdata/binrpc/${name}/`, import.meta.url));
}

/** The case names of a directory: files ending in `suffix`, without it. */
export function caseNames(dir: string, suffix: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(suffix)).map((f) => f.slice(0, -suffix.length))
    .sort();
}

/** A file's text, or null when it does not exist. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
