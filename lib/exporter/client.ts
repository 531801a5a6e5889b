/**
 * The exporter's seam to the servers: detect a dialect, call a method. The
 * default one goes through `call()` and `detectDialect()` on a transport;
 * tests may hand in their own.
 *
 * @module
 */
import { call } from "../client/call.ts";
import { detectDialect, type Detected } from "../client/detect.ts";
import { MidgramError } from "../errors.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { clientCodec } from "../protocol/dialects.ts";
import { isMethodNotFoundIn } from "../protocol/peer.ts";
import { readCtlFifoStruct } from "../protocol/ctlfifo/read_reply.ts";
import { replyResult } from "../protocol/reply_result.ts";
import type { Params, Value } from "../protocol/value.ts";
import type { Flavour } from "../socket_spec.ts";
import type { AnyAddress, Transport } from "../transport/types.ts";

/** What a call needs besides the method. */
export interface ExporterCallOptions {
  dialect: DialectName;
  flavour?: Flavour;
  timeoutMs: number;
  signal?: AbortSignal;
  /** FIFO targets: where the reply FIFOs are made (the server's reply directory); default /tmp. */
  replyDir?: string;
}

/** How the exporter talks to servers. */
export interface ExporterClient {
  detect(to: AnyAddress, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Detected>;
  /**
   * The result of a method; throws `MidgramError` `method-not-found` or
   * `error-reply` when the server answers with an error, or the codes of `call()`.
   */
  call(
    to: AnyAddress,
    method: string,
    params: Params,
    options: ExporterCallOptions,
  ): Promise<Value>;
}

/**
 * The exporter client over a transport. A binrpc reply is read in its JSON
 * form, as `jsonrpcs` lays out the same data ({@linkcode replyResult}), so
 * that mappings mean the same over both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transportClient } from "./client.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const client = transportClient(createMemoryTransport());
 * assert.equal(typeof client.call, "function");
 * ```
 */
export function transportClient(transport: Transport): ExporterClient {
  return {
    detect: (to, options) => detectDialect(to, { transport, ...options }),
    async call(to, method, params, options) {
      const codec = clientCodec(options.dialect, { flavour: options.flavour });
      const reply = await call(to, { method, params }, {
        transport,
        codec,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        replyDir: options.replyDir,
        flavour: options.flavour,
      });
      if (reply.outcome === null) {
        throw reply.error ?? new MidgramError("reply-syntax", `Reply to ${method} cannot be read`);
      }
      if (reply.outcome.kind === "error") {
        const { code, message } = reply.outcome;
        throw new MidgramError(
          isMethodNotFoundIn(options.dialect, reply.outcome) ? "method-not-found" : "error-reply",
          `${method} answered ${code} ${message}`,
        );
      }
      const value = reply.outcome.value;
      // ctl's FIFO protocol writes a struct as one line of name:value pairs.
      if (
        options.dialect === "ctlfifo" && Array.isArray(value) && value.length === 1 &&
        typeof value[0] === "string"
      ) {
        return readCtlFifoStruct(value[0]) ?? value[0];
      }
      return replyResult(options.dialect, value);
    },
  };
}
