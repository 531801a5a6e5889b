/**
 * The reply-FIFO name rule shared by both servers: a bare file name, no `.`,
 * `/` or `\` (OpenSIPS `get_reply_filename`, Kamailio `jsonrpc_fifo_check`).
 *
 * @module
 */
import { MidgramError } from "../../errors.ts";

/** Why a reply name is refused, or `null`. */
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
