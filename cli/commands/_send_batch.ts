/**
 * `midgram send --batch`: many requests over one client socket (or one
 * stream connection), each reply in order behind a header that names the
 * request and its status, or one JSON line per request with `--json`.
 *
 * @module
 */
import { openSession } from "../../lib/client/call.ts";
import { EXIT, MidgramError } from "../../lib/errors.ts";
import type { SocketSpec } from "../../lib/socket_spec.ts";
import { valueToJson } from "../../lib/protocol/value_json.ts";
import type { Io } from "../io.ts";
import { splitWords } from "./_interactive.ts";
import { jsonResult, type OutputMode, renderReply } from "./_send_output.ts";
import {
  callOptions,
  classify,
  dialectOf,
  requestFor,
  type RequestSource,
  type SendOptions,
  statusOf,
  unescapeIndent,
} from "./_send_common.ts";

/** One request of a batch: where it is in the file, and what it is. */
export interface BatchItem {
  line: number;
  label: string;
  source: RequestSource;
}

/**
 * Splits a batch file: one request per line (`METHOD PARAM...`, shell-like
 * quoting, blank lines and `#` comments skipped), or with `raw`, request
 * bytes separated by NUL bytes (by blank lines when the file has no NUL).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitBatch } from "./_send_batch.ts";
 * const items = splitBatch(new TextEncoder().encode("version\n# a comment\ncache_fetch local 'a key'\n"), false);
 * assert.deepEqual(items.map((i) => i.label), ["version", "cache_fetch"]);
 * ```
 */
export function splitBatch(input: Uint8Array, raw: boolean): BatchItem[] {
  const items: BatchItem[] = [];
  if (raw) {
    const nul = input.includes(0);
    const text = new TextDecoder().decode(input);
    let line = 1;
    for (const part of nul ? text.split("\0") : text.split(/\n[ \t]*\n/)) {
      const trimmed = part.replace(/^\n+/, "");
      const skipped = part.length - trimmed.length;
      if (trimmed.trim() !== "") {
        const bytes = new TextEncoder().encode(nul ? trimmed : trimmed.replace(/\n?$/, "\n"));
        const label = trimmed.trim().split("\n")[0].slice(0, 60);
        items.push({ line: line + skipped, label, source: { kind: "bytes", bytes, name: label } });
      }
      line += part.split("\n").length - 1 + (nul ? 0 : 2);
    }
    return items;
  }
  const lines = new TextDecoder().decode(input).split("\n");
  lines.forEach((text, i) => {
    const t = text.replace(/\r$/, "").trim();
    if (t === "" || t.startsWith("#")) return;
    const [method, ...words] = splitWords(t);
    items.push({ line: i + 1, label: method, source: { kind: "words", method, words } });
  });
  return items;
}

/** Runs a batch against one server; returns the worst exit status. */
export async function runBatch(
  spec: SocketSpec,
  input: Uint8Array,
  options: SendOptions,
  settings: { timeoutMs: number; retries: number; indent: string },
  mode: OutputMode,
  io: Io,
): Promise<number> {
  const items = splitBatch(input, options.batchRaw === true);
  if (items.length === 0) {
    throw new MidgramError("usage", "The batch holds no request");
  }
  let found;
  try {
    found = await dialectOf(spec, io, settings.timeoutMs, options.quiet === true);
  } catch (error) {
    io.stderr(`midgram: ${(error as Error).message}\n`);
    return statusOf(error, io);
  }
  const session = openSession(found.address, callOptions(io, found, settings, options));
  const render = { pretty: false, indent: unescapeIndent(options.indent ?? "\\t") };
  let worst = 0;
  try {
    for (const [index, item] of items.entries()) {
      if (io.interrupted.aborted) break;
      const n = index + 1;
      let exit: number;
      let message: string | undefined;
      let body: Uint8Array | string | undefined;
      let json: string;
      try {
        const reply = await session.call(
          requestFor(
            found.dialect,
            item.source,
            options,
            (m) => io.stderr(`midgram: warning: request ${n} (line ${item.line}): ${m}\n`),
          ),
        );
        const outcome = classify(spec, found.dialect, reply);
        exit = outcome.exit;
        message = outcome.message;
        const rendered = renderReply(found.dialect, reply, mode, render);
        body = rendered.bytes;
        json = rendered.text ??
          valueToJson(
            reply.outcome?.kind === "result"
              ? jsonResult(found.dialect, reply.outcome.value)
              : null,
          );
      } catch (error) {
        exit = statusOf(error, io);
        message = (error as Error).message;
        json = JSON.stringify({ failure: message });
      }
      worst = Math.max(worst, exit);
      if (message && (!options.quiet || exit > EXIT.problem)) {
        io.stderr(`midgram: request ${n} (line ${item.line}): ${message}\n`);
      }
      if (options.quiet) continue;
      if (mode.kind === "json") {
        io.stdout(
          `{"n":${n},"line":${item.line},"method":${
            JSON.stringify(item.label)
          },"exit":${exit},"reply":${json}}\n`,
        );
      } else {
        io.stdout(`==> ${n}: ${item.label} (exit ${exit}) <==\n`);
        if (body !== undefined) io.stdout(body);
      }
    }
  } finally {
    await session.close();
  }
  return worst;
}
