/**
 * The reply-FIFO name rules: the names a client may write (both servers'
 * rules and then some, so that every server reads them back the same), and
 * the names a server accepts from its FIFO (a bare file name, no `.`, `/` or
 * `\`, a path of at most 127 bytes: OpenSIPS `get_reply_filename`, Kamailio
 * `jsonrpc_open_reply_fifo`).
 *
 * @module
 */
import { MidgramError } from "../../errors.ts";

/** Both servers open `REPLY_DIR + NAME` in a buffer of this many bytes, its NUL included. */
export const MAX_REPLY_PATH = 128;

/** Why a client may not use this reply name, or `null`. */
export function replyNameProblem(name: string): string | null {
  if (/[./\\]/.test(name)) return "it holds '.', '/' or '\\'";
  if ([...name].some((c) => c <= " " || c === ":" || c === '"')) {
    return "it holds white space, a control character, ':' or '\"'";
  }
  return null;
}

/** Throws `unrepresentable` for a refused reply name. */
export function checkReplyName(name: string): void {
  const problem = replyNameProblem(name);
  if (problem !== null) {
    throw new MidgramError(
      "unrepresentable",
      `Cannot use the reply FIFO name "${name}": ${problem}`,
    );
  }
}

const encoder = new TextEncoder();
// A code unit of a surrogate pair without its other half.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The longest reply name, in UTF-8 bytes, a server whose reply directory is
 * `replyDir` opens: the directory, a `/`, the name and a NUL fit in
 * {@linkcode MAX_REPLY_PATH} bytes. Negative when no name fits.
 */
export function maxReplyNameBytes(replyDir: string): number {
  const dir = replyDir.endsWith("/") ? replyDir : `${replyDir}/`;
  return MAX_REPLY_PATH - 1 - encoder.encode(dir).length;
}

/**
 * Why a server refuses the reply name it read from its FIFO, or `null`: the
 * real servers' rules (no `.`, `/` or `\`; the whole path within 127 bytes),
 * and a plain file name: no control character (a NUL would cut the name
 * short, as `"ok\u0000name"` opens `okname` in Kamailio) and well-formed
 * text. The empty name (no reply) is not refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { servedReplyNameProblem } from "./_fifo_names.ts";
 * assert.equal(servedReplyNameProblem("midgram_1", "/tmp"), null);
 * assert.equal(servedReplyNameProblem("ok\u0000name", "/tmp"), "it holds a control character");
 * ```
 */
export function servedReplyNameProblem(name: string, replyDir: string): string | null {
  if (/[./\\]/.test(name)) return "it holds '.', '/' or '\\'";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return "it holds a control character";
  if (LONE_SURROGATE.test(name) || name.includes("\ufffd")) return "it is not well-formed UTF-8";
  const max = maxReplyNameBytes(replyDir);
  if (encoder.encode(name).length > max) {
    return `it is over ${Math.max(max, 0)} bytes, the longest the reply directory leaves`;
  }
  return null;
}
