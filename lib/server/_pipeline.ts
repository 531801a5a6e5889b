/**
 * The request pipeline every transport shares: decode a request with the
 * binding's codec, dispatch it to its command (within the handler pool's
 * limits), encode the outcome in the same dialect; count and log it.
 *
 * @module
 */
import { type Call, type Fault, isNativeResult } from "../protocol/dialect.ts";
import { formatAddress } from "../transport/address.ts";
import type { Address } from "../transport/types.ts";
import { type Binding, REFUSAL_COUNTER } from "./_binding.ts";
import { type HandlerPool, isThenable, type Outcome } from "./_handler_pool.ts";
import type { RateLimitedLog } from "./_rate_limited_log.ts";
import { RequestContext } from "./_request_context.ts";
import type { BuiltinFlavour, Command, Logger } from "./types.ts";

/**
 * What `process()` gives: the reply, why the request was refused if it was,
 * and the error the reply carries, if any (an HTTP reply's status says it).
 */
export type Processed = { reply: Uint8Array | null; refusal?: string; fault?: Fault };

/** A request's reply as encoded, how it went (for the debug log), and the error it carries. */
type Encoded = { bytes: Uint8Array | null; status: string; fault?: Fault };

/** What the pipeline needs of its server. */
export interface PipelineHost {
  readonly logger: Logger;
  readonly warnings: RateLimitedLog;
  readonly pool: HandlerPool;
  count(name: string, by?: number): void;
  /** The command a socket of this flavour runs for `name`. */
  lookup(flavour: BuiltinFlavour, name: string): Command | undefined;
  commands(flavour: BuiltinFlavour): string[];
  help(name: string, flavour: BuiltinFlavour): string | undefined;
  /** binrpc parameters are converted as ctl's `autoconversion` does. */
  readonly autoconversion: boolean;
}

/** decode → dispatch → encode, for one server. */
export class Pipeline {
  private readonly host: PipelineHost;

  constructor(host: PipelineHost) {
    this.host = host;
  }

  /**
   * decode → dispatch → encode; never throws. Synchronous when the handler
   * answers at once, a promise otherwise.
   */
  process(
    binding: Binding,
    data: Uint8Array,
    from: Address | null,
    after: (() => void)[],
  ): Processed | Promise<Processed> {
    const { codec, flavour, keys } = binding;
    this.host.count(keys.requests);
    this.host.count(keys.bytes_in, data.length);
    // When debug logging is on, the time the request started; else -1.
    const started = (this.host.logger.enabled?.("debug") ?? true) ? performance.now() : -1;
    let done: Encoded | Promise<Encoded>;
    let method: string | undefined;
    try {
      const decoded = codec.decode(data, (name) => this.host.lookup(flavour, name));
      if (decoded.kind === "answer") {
        this.host.count(keys[REFUSAL_COUNTER[decoded.reason] ?? "invalid_requests"]);
        const refused = {
          bytes: decoded.reply,
          status: `refused: ${decoded.reason}: ${decoded.message}`,
          fault: decoded.fault,
        };
        return this.processed(binding, data, from, started, undefined, refused, decoded.reason);
      }
      method = decoded.call.method;
      done = this.dispatch(binding, decoded.call, from, after);
    } catch (error) {
      return this.processed(binding, data, from, started, method, this.internalError(error));
    }
    if (!isThenable(done)) return this.processed(binding, data, from, started, method, done);
    return done.then(
      (encoded) => this.processed(binding, data, from, started, method, encoded),
      (error) => this.processed(binding, data, from, started, method, this.internalError(error)),
    );
  }

  /** The codecs and dispatch never throw; this is a last line of defence. */
  private internalError(error: unknown): Encoded {
    this.host.warnings.log("error", "internal", "internal error", { error: String(error) });
    return { bytes: null, status: "internal error" };
  }

  /** Counts a reply's bytes and logs the request at debug level (when `started` ≥ 0). */
  private processed(
    binding: Binding,
    data: Uint8Array,
    from: Address | null,
    started: number,
    method: string | undefined,
    encoded: Encoded,
    refusal?: string,
  ): Processed {
    const reply = encoded.bytes;
    if (reply !== null) this.host.count(binding.keys.bytes_out, reply.length);
    if (started >= 0) {
      this.host.logger.log("debug", "request", {
        dialect: binding.codec.dialect,
        method,
        peer: from ? formatAddress(from) : undefined,
        status: encoded.status,
        bytes_in: data.length,
        bytes_out: reply?.length ?? 0,
        ms: Number((performance.now() - started).toFixed(3)),
      });
    }
    return { reply, refusal, fault: encoded.fault };
  }

  /** Runs a call's command and encodes its reply: at once, or a promise when the handler waits. */
  private dispatch(
    binding: Binding,
    call: Call,
    from: Address | null,
    after: (() => void)[],
  ): Encoded | Promise<Encoded> {
    const { codec, flavour, group, keys } = binding;
    const command = this.host.lookup(flavour, call.method);
    let outcome: Outcome | Promise<Outcome>;
    if (!command) {
      this.host.count(keys.unknown_commands);
      outcome = { ok: false, fault: { kind: "method-not-found", method: call.method } };
    } else {
      // Only registered commands get a counter: an unknown name never makes one.
      let commandKey = binding.commandKeys.get(call.method);
      if (commandKey === undefined) {
        binding.commandKeys.set(call.method, commandKey = `${group}_cmd:${call.method}`);
      }
      this.host.count(commandKey);
      // OpenSIPS 3 checks the parameters against the command's recipes before it runs it.
      const problem = command.recipes && !command.noInput
        ? binding.peer.paramsProblem?.(call.params, command.recipes) ?? null
        : null;
      const args = call.args ?? [];
      const context = new RequestContext(
        call.method,
        codec.dialect,
        flavour,
        args,
        from,
        this.host,
        after,
      );
      outcome = problem !== null
        ? { ok: false, fault: { kind: "invalid-params", detail: problem } }
        : this.host.pool.run(keys, command, call, context);
    }
    return isThenable(outcome)
      ? outcome.then((settled) => this.encode(binding, call, settled))
      : this.encode(binding, call, outcome);
  }

  /** The reply to a call for its outcome, in the binding's dialect. */
  private encode(binding: Binding, call: Call, outcome: Outcome): Encoded {
    const { codec } = binding;
    if (
      outcome.ok && isNativeResult(outcome.result) && outcome.result.fault &&
      outcome.result.native !== codec.dialect
    ) {
      outcome = { ok: false, fault: outcome.result.fault };
    }
    if (outcome.ok) {
      const result = outcome.result === undefined ? null : outcome.result;
      return { bytes: codec.encodeResult(call, result), status: "ok" };
    }
    return {
      bytes: codec.encodeFault(call, outcome.fault),
      status: outcome.fault.kind,
      fault: outcome.fault,
    };
  }
}
