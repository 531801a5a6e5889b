/**
 * The context of one request's handler.
 *
 * @module
 */
import type { DialectName } from "../protocol/dialect.ts";
import type { MiArgument } from "../protocol/mi/mod.ts";
import type { Address } from "../transport/types.ts";
import type { BuiltinFlavour, HandlerContext } from "./types.ts";

/**
 * What a handler gets with its parameters (`HandlerContext`), and its run's
 * abort signal. One object a request, its getter and methods on the
 * prototype: an object literal with a getter and three closures cost V8 a
 * map migration and property definitions on every request (`perf`, see
 * `scripts/bench_serve.mjs`). The signal is made only when a handler reads
 * it (most never do: an AbortController per request is a measurable part of
 * a request's cost); aborting before it exists remembers the reason, so a
 * late reader still finds it aborted.
 */
export class RequestContext implements HandlerContext {
  private controller: AbortController | null = null;
  private reason: unknown = undefined;
  private aborted = false;
  /** Set while the server waits for the handler's promise: ends the wait with a cancellation. */
  cancel: (() => void) | null = null;

  readonly method: string;
  readonly dialect: DialectName;
  readonly flavour: BuiltinFlavour;
  readonly args: MiArgument[];
  readonly from: Address | null;
  private readonly server: {
    commands(flavour: BuiltinFlavour): string[];
    help(name: string, flavour: BuiltinFlavour): string | undefined;
    readonly autoconversion: boolean;
  };
  private readonly after: (() => void)[];

  constructor(
    method: string,
    dialect: DialectName,
    flavour: BuiltinFlavour,
    args: MiArgument[],
    from: Address | null,
    server: {
      commands(flavour: BuiltinFlavour): string[];
      help(name: string, flavour: BuiltinFlavour): string | undefined;
      readonly autoconversion: boolean;
    },
    after: (() => void)[],
  ) {
    this.method = method;
    this.dialect = dialect;
    this.flavour = flavour;
    this.args = args;
    this.from = from;
    this.server = server;
    this.after = after;
  }

  /** binrpc: convert parameters as ctl's `autoconversion` does. */
  get autoconversion(): boolean {
    return this.server.autoconversion;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  commands(): string[] {
    return this.server.commands(this.flavour);
  }

  help(name: string): string | undefined {
    return this.server.help(name, this.flavour);
  }

  afterReply(action: () => void): void {
    this.after.push(action);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
