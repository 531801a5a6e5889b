/**
 * The handlers' places: at most `children` run at once, up to `queueLimit`
 * requests wait for a place (more are busy), each run is bounded by
 * `handlerTimeoutMs`, and a stop's cancellation ends what runs and waits.
 *
 * @module
 */
import { MidgramError } from "../errors.ts";
import type { Call, Fault } from "../protocol/dialect.ts";
import type { Binding } from "./_binding.ts";
import type { RateLimitedLog } from "./_rate_limited_log.ts";
import type { RequestContext } from "./_request_context.ts";
import { RpcError } from "./rpc_error.ts";
import type { Command, HandlerResult, Logger } from "./types.ts";

const TIMED_OUT: unique symbol = Symbol("timed out");
const CANCELLED: unique symbol = Symbol("cancelled");

/** What a command still running when the grace period of a stop ends answers. */
const CANCELLED_FAULT: Fault = { kind: "command", code: 500, message: "command cancelled" };

/** Whether a value is a promise (or any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

/** How a handler's run ended. */
export type Outcome = { ok: true; result: HandlerResult } | { ok: false; fault: Fault };
/** Limits of a {@linkcode HandlerPool}. */
export interface HandlerPoolOptions {
  children: number;
  queueLimit: number;
  handlerTimeoutMs: number;
  /** Adds one to a counter. */
  count: (name: string) => void;
  /** Per-request warnings, rate-limited. */
  warnings: RateLimitedLog;
  logger: Logger;
}

/** Runs handlers within the concurrency, queue and time limits. */
export class HandlerPool {
  private running = 0;
  private readonly waiting: ((placed: boolean | typeof CANCELLED) => void)[] = [];
  /** The contexts of the handlers running now: a stop's cancellation aborts their signals. */
  readonly runningContexts = new Set<RequestContext>();
  /** Set once the grace period of a stop has ended: what runs or waits is cancelled. */
  cancelled = false;
  private readonly children: number;
  private readonly queueLimit: number;
  private readonly handlerTimeoutMs: number;
  private readonly warnings: RateLimitedLog;
  private readonly logger: Logger;
  private readonly count: (name: string) => void;

  constructor(options: HandlerPoolOptions) {
    this.children = options.children;
    this.queueLimit = options.queueLimit;
    this.handlerTimeoutMs = options.handlerTimeoutMs;
    this.warnings = options.warnings;
    this.logger = options.logger;
    this.count = options.count;
  }

  /** Handlers holding a place now (running, or ended while a stop's grace lasts). */
  get placed(): number {
    return this.running;
  }

  /** Requests waiting for a place. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Takes a place for a handler: `true` at once when one is free (no promise
   * on the hot path), else a promise of one, of `false` when the queue of
   * waiting requests is full, or of `CANCELLED` once a stop's grace has ended.
   */
  private acquire(): true | Promise<boolean | typeof CANCELLED> {
    if (this.running < this.children) {
      this.running++;
      return true;
    }
    if (this.cancelled) return Promise.resolve(CANCELLED);
    if (this.waiting.length >= this.queueLimit) return Promise.resolve(false);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.running--;
  }

  /**
   * A handler has really ended: its place is given back only then, so that
   * `children` holds even for a handler that ignores its signal.
   */
  private finish(context: RequestContext): void {
    this.runningContexts.delete(context);
    this.release();
  }

  /**
   * Runs a handler within the concurrency and time limits: its outcome at
   * once when a place is free and the handler answers at once, else a promise.
   */
  run(
    keys: Binding["keys"],
    command: Command,
    call: Call,
    context: RequestContext,
  ): Outcome | Promise<Outcome> {
    const place = this.acquire();
    if (place === true) return this.runPlaced(keys, command, call, context);
    return place.then((placed): Outcome | Promise<Outcome> => {
      if (placed === CANCELLED) return { ok: false, fault: CANCELLED_FAULT };
      if (placed) return this.runPlaced(keys, command, call, context);
      this.count(keys.busy);
      return { ok: false, fault: { kind: "busy" } };
    });
  }

  /** {@linkcode run} once the handler has its place. */
  private runPlaced(
    keys: Binding["keys"],
    command: Command,
    call: Call,
    context: RequestContext,
  ): Outcome | Promise<Outcome> {
    // A stop's cancellation aborts the signals of the running handlers (one
    // listener per request on the server's signal would cost more, and warn past ten).
    this.runningContexts.add(context);
    let value: HandlerResult | Promise<HandlerResult>;
    try {
      value = command.handler(call.params, context);
    } catch (error) {
      this.finish(context);
      return this.faultOf(error, keys, call);
    }
    // A handler that answered at once (most built-ins) needs no timer and
    // no promises: a setTimeout and two promises per request otherwise.
    if (!isThenable(value)) {
      this.finish(context);
      return { ok: true, result: value };
    }
    const work = Promise.resolve(value);
    void work.then(() => this.finish(context), () => this.finish(context));
    return this.settle(keys, call, context, work);
  }

  /** The outcome of a handler that answered with a promise, within its time limit. */
  private async settle(
    keys: Binding["keys"],
    call: Call,
    context: RequestContext,
    work: Promise<HandlerResult>,
  ): Promise<Outcome> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const result = await new Promise<HandlerResult | typeof TIMED_OUT | typeof CANCELLED>(
        (resolve, reject) => {
          timer = setTimeout(() => resolve(TIMED_OUT), this.handlerTimeoutMs);
          context.cancel = () => resolve(CANCELLED);
          work.then(resolve, reject);
        },
      );
      if (result === CANCELLED) return { ok: false, fault: CANCELLED_FAULT };
      if (result === TIMED_OUT) {
        context.abort(new MidgramError("timeout", `Command "${call.method}" ran out of time`));
        this.count(keys.handler_timeouts);
        this.warnings.log("error", "handler-timeout", "handler timed out", {
          command: call.method,
          ms: this.handlerTimeoutMs,
        });
        return { ok: false, fault: { kind: "failed", message: "command ran out of time" } };
      }
      return { ok: true, result };
    } catch (error) {
      return this.faultOf(error, keys, call);
    } finally {
      clearTimeout(timer);
      context.cancel = null;
    }
  }

  /** The fault for an error a handler threw: its own RPC error, or a logged failure. */
  private faultOf(error: unknown, keys: Binding["keys"], call: Call): Outcome {
    if (error instanceof RpcError) {
      return {
        ok: false,
        fault: {
          kind: "command",
          code: error.replyCode,
          message: error.message,
          data: error.data,
        },
      };
    }
    this.count(keys.handler_errors);
    this.warnings.log("error", "handler-failed", "handler failed", {
      command: call.method,
      error: error instanceof Error ? error.stack ?? error.message : String(error),
    });
    return {
      ok: false,
      fault: { kind: "failed", message: error instanceof Error ? error.message : String(error) },
    };
  }

  /**
   * Ends the grace period: every running handler's signal aborts and its
   * request is answered `command cancelled` at once (a handler that ignores
   * its signal keeps its place until it ends); requests waiting for a place
   * get the same answer.
   */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const running = [...this.runningContexts];
    if (running.length > 0 || this.waiting.length > 0) {
      this.logger.log("warn", "cancelling running commands", {
        running: running.length,
        waiting: this.waiting.length,
      });
    }
    for (const context of running) {
      context.abort(new MidgramError("closed", "The server is closing"));
      context.cancel?.();
    }
    for (const waiter of this.waiting.splice(0)) waiter(CANCELLED);
  }
}
