import { MidgramError } from "../errors.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { peerOf } from "../protocol/peer.ts";
import type { MiArgument } from "../protocol/mi/mod.ts";
import type { Value } from "../protocol/value.ts";
import { formatAddress, parseAddress } from "../transport/address.ts";
import type { FrameReader } from "../transport/read_frames.ts";
import { shareSignal } from "../transport/shared_signal.ts";
import type {
  Address,
  AnyAddress,
  BindOptions,
  RequestAddress,
  RequestListener,
  StreamConnection,
  Transport,
} from "../transport/types.ts";
import {
  ConnectionGate,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  type RefusalCause,
} from "../transport/connection_gate.ts";
import { VERSION } from "../version.ts";
import { admitsPeer, parseAllowList } from "./_cidr.ts";
import { RateLimitedLog } from "./_rate_limited_log.ts";
import { builtinSets } from "./builtins/mod.ts";
import { CacheStore } from "./builtins/cache_store.ts";
import type { BuiltinHost } from "./builtins/host.ts";
import { miCommandSet, type MiHandler } from "./builtins/mi_set.ts";
import { CommandRegistry } from "./registry.ts";
import type {
  BuiltinFlavour,
  Command,
  CommandOptions,
  Handler,
  HostInfo,
  Logger,
} from "./types.ts";

export type {
  BuiltinFlavour,
  CommandOptions,
  Handler,
  HandlerContext,
  HandlerResult,
  HostInfo,
  Logger,
  LogLevel,
} from "./types.ts";
export type { MiHandler } from "./builtins/mi_set.ts";
export type {
  CloseOptions,
  HandleOptions,
  ListenOptions,
  MiServer,
  Retained,
  ServerOptions,
} from "./server_types.ts";
import type {
  CloseOptions,
  HandleOptions,
  ListenOptions,
  MiServer,
  Retained,
  ServerOptions,
} from "./server_types.ts";
import { type Binding, counterKeys, type CounterName } from "./_binding.ts";
import { Pipeline } from "./_pipeline.ts";
import { HandlerPool } from "./_handler_pool.ts";
import { acceptLoop, type LoopHost, requestLoop, serveDatagrams } from "./_listen_loops.ts";

function defaultHost(): HostInfo {
  const proc = (globalThis as {
    process?: {
      pid?: number;
      cwd?: () => string;
      argv?: string[];
      versions?: Record<string, string>;
    };
  }).process;
  const versions = proc?.versions ?? {};
  return {
    pid: proc?.pid ?? 0,
    cwd: () => proc?.cwd?.() ?? "/",
    argv: proc?.argv ?? [],
    runtime: versions.deno ? `deno ${versions.deno}` : `node ${versions.node ?? "?"}`,
    now: () => new Date(),
  };
}

/** The grace period of close() when none is given. */
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

class Server implements MiServer, BuiltinHost, LoopHost {
  readonly host: HostInfo;
  readonly startedAt: Date;
  readonly version: string;
  readonly cache: CacheStore;
  private readonly transport: Transport;
  private readonly indent: string;
  readonly replyTimeoutMs: number;
  /** Where handlers run, within the concurrency, queue and time limits. */
  readonly pool: HandlerPool;
  /** decode → dispatch → encode; never throws. */
  readonly pipeline: Pipeline;
  private readonly allow: ((peer: AnyAddress | null) => boolean) | null;
  readonly logger: Logger;
  private readonly user = new CommandRegistry();
  private readonly builtins: Record<BuiltinFlavour, CommandRegistry>;
  private readonly counters = new Map<string, number>();
  private readonly listeners: {
    address: AnyAddress;
    close(): Promise<void>;
    /** Stops receiving at once when the server closes (stream, FIFO and HTTP listeners). */
    stop?: () => unknown;
    dialect?: string;
    /** What a FIFO or HTTP listener holds between reads. */
    retained?: () => { requests: number; bytes: number } | undefined;
  }[] = [];
  readonly connections = new Map<
    StreamConnection,
    { dialect: string; local: AnyAddress }
  >();
  readonly frameReaders = new Set<FrameReader>();
  /** The gates of the stream and HTTP listeners, for the connections they count open. */
  private readonly gates: ConnectionGate[] = [];
  /** Every per-request warning goes through it: a line per cause per interval. */
  readonly warnings: RateLimitedLog;
  readonly idleTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly fifoReplyDir: string;
  /** binrpc parameters are converted as ctl's `autoconversion` does. */
  readonly autoconversion: boolean;
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  readonly receiving = new AbortController();
  private readonly defaultBindings = new Map<string, Binding>();
  closed = false;
  private closing: Promise<void> | null = null;

  constructor(options: ServerOptions) {
    if (!options?.transport) throw new TypeError("createServer(): options.transport is required");
    this.transport = options.transport;
    this.indent = options.indent ?? "\t";
    this.replyTimeoutMs = options.replyTimeoutMs ?? 2000;
    this.allow = options.allow && options.allow.length > 0
      ? admitsPeer(parseAllowList(options.allow))
      : null;
    // No logger: nothing is logged, so no per-request log fields are built either.
    this.logger = options.logger ?? { log: () => {}, enabled: () => false };
    this.host = { ...defaultHost(), ...options.host };
    this.warnings = new RateLimitedLog(this.logger, () => this.host.now().getTime());
    this.pool = new HandlerPool({
      children: Math.max(1, options.children ?? 4),
      queueLimit: options.queueLimit ?? 1000,
      handlerTimeoutMs: options.handlerTimeoutMs ?? 10_000,
      count: (name) => this.count(name),
      warnings: this.warnings,
      logger: this.logger,
    });
    this.pipeline = new Pipeline(this);
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.startedAt = this.host.now();
    this.version = options.version ?? `midgram ${VERSION} (${this.host.runtime})`;
    this.cache = new CacheStore(() => this.host.now().getTime(), options.cache);
    // Every socket's receive loop listens on this signal (each removes its
    // listener when done): no leak to warn about.
    shareSignal(this.receiving.signal);
    this.fifoReplyDir = options.fifoReplyDir ?? "/tmp";
    this.autoconversion = options.autoconversion === true;
    this.addCounters(counterKeys("mi"));
    const builtins = options.builtins ?? true;
    this.builtins = builtinSets(this, {
      disable: builtins === true || builtins === false ? [] : builtins.disable ?? [],
    });
    if (builtins === false) {
      for (const set of Object.values(this.builtins)) {
        for (const name of set.names()) set.unregister(name);
      }
    }
  }

  register(name: string, handler: Handler, options: CommandOptions = {}): void {
    this.refuseBuiltinName(name);
    this.user.register(name, handler, options);
  }

  registerMi(name: string, handler: MiHandler, options: CommandOptions = {}): void {
    this.refuseBuiltinName(name);
    miCommandSet(this.user).register(name, handler, options);
  }

  private refuseBuiltinName(name: string): void {
    if (Object.values(this.builtins).some((set) => set.get(name))) {
      throw new TypeError(`register(): command "${name}" is already registered (a built-in)`);
    }
  }

  unregister(name: string): boolean {
    return this.user.unregister(name);
  }

  commands(flavour: BuiltinFlavour = "opensips-2.4"): string[] {
    const names = this.builtins[flavour].names();
    for (const name of this.user.names()) if (!names.includes(name)) names.push(name);
    return names;
  }

  help(name: string, flavour: BuiltinFlavour = "opensips-2.4"): string | undefined {
    return this.lookup(flavour, name)?.help;
  }

  lookup(flavour: BuiltinFlavour, name: string): Command | undefined {
    return this.user.get(name) ?? this.builtins[flavour].get(name);
  }

  addresses(): AnyAddress[] {
    return this.listeners.map((s) => s.address);
  }

  servedSockets(): { dialect: string; address: AnyAddress }[] {
    return this.listeners.map((s) => ({ dialect: s.dialect ?? "mi", address: s.address }));
  }

  openConnections(): { dialect: string; peer: AnyAddress | null; local: AnyAddress }[] {
    return [...this.connections].map(([c, info]) => ({ ...info, peer: c.peer }));
  }

  stats(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  resetStats(names?: string[]): string[] {
    const targets = names ?? [...this.counters.keys()];
    const done: string[] = [];
    for (const name of targets) {
      if (this.counters.has(name)) {
        this.counters.set(name, 0);
        done.push(name);
      }
    }
    return done;
  }

  /** Whether the allow-list lets a peer in: every IP peer (UDP, TCP, HTTP) is checked, UNIX peers pass. */
  admits(peer: AnyAddress | null): boolean {
    return this.allow === null || this.allow(peer);
  }

  /** Counts and logs (rate-limited) a datagram or connection refused at once. */
  refused(binding: Binding, cause: RefusalCause, peer: AnyAddress | null): void {
    const from = peer ? formatAddress(peer) : undefined;
    if (cause === "denied") {
      this.count(binding.keys.denied);
      this.warnings.log("warn", "denied", "request from a peer outside --allow dropped", { from });
    } else {
      this.count(binding.keys.connections_refused);
      this.warnings.log(
        "warn",
        "too-many",
        "connection refused: too many open (--max-connections)",
        {
          from,
          max: this.maxConnections,
        },
      );
    }
  }

  /** The allow-list and connection cap of one stream or HTTP listener. */
  gate(binding: Binding): ConnectionGate {
    const gate = new ConnectionGate({
      maxConnections: this.maxConnections,
      admits: (peer) => this.admits(peer),
      onRefused: (cause, peer) => this.refused(binding, cause, peer),
    });
    this.gates.push(gate);
    return gate;
  }

  retained(): Retained {
    let requestsWaiting = 0;
    let requestBytes = 0;
    for (const listener of this.listeners) {
      const held = listener.retained?.();
      requestsWaiting += held?.requests ?? 0;
      requestBytes += held?.bytes ?? 0;
    }
    let streamBytes = 0;
    for (const reader of this.frameReaders) streamBytes += reader.buffered.length;
    return {
      connections: this.connections.size,
      gatedConnections: this.gates.reduce((n, gate) => n + gate.open, 0),
      inFlight: this.inFlight.size,
      handlersRunning: this.pool.placed,
      handlersWaiting: this.pool.queued,
      streamBytes,
      requestsWaiting,
      requestBytes,
      logCauses: this.warnings.causes,
      counters: this.counters.size,
    };
  }

  /** Shows a group's counters at 0 from the start. */
  private addCounters(keys: Record<CounterName, string>): void {
    for (const key of Object.values(keys)) if (!this.counters.has(key)) this.counters.set(key, 0);
  }

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  private binding(dialect: DialectName = "mi", flavour?: "opensips" | "kamailio"): Binding {
    const key = `${dialect}/${flavour ?? ""}`;
    let binding = this.defaultBindings.get(key);
    if (!binding) {
      // The codecs' counter names (replies_200, ...) are a small fixed set.
      const codecKeys = new Map<string, string>();
      const peer = peerOf(dialect, flavour);
      const codec = peer.serverCodec({
        indent: this.indent,
        count: (name) => {
          let key = codecKeys.get(name);
          if (key === undefined) codecKeys.set(name, key = `${dialect}:${name}`);
          this.count(key);
        },
      });
      binding = {
        peer,
        codec,
        flavour: peer.family,
        group: dialect,
        keys: counterKeys(dialect),
        commandKeys: new Map(),
      };
      this.addCounters(binding.keys);
      this.defaultBindings.set(key, binding);
    }
    return binding;
  }

  listen<T extends AnyAddress>(address: T, options?: ListenOptions): Promise<T>;
  listen(address: AnyAddress | string, options?: ListenOptions): Promise<AnyAddress>;
  async listen(address: AnyAddress | string, options: ListenOptions = {}): Promise<AnyAddress> {
    if (this.closed) throw new MidgramError("closed", "The server is closed");
    const { dialect, flavour, ...bind } = options;
    const binding = this.binding(dialect, flavour);
    const target = typeof address === "string" ? parseAddress(address, { dialect }) : address;
    const name = formatAddress(target);
    let bound: AnyAddress;
    if (target.kind === "unix" || target.kind === "udp") {
      const socket = await this.transport.bind(target, bind);
      this.keep(socket, binding);
      this.loops.push(serveDatagrams(this, socket, binding));
      bound = socket.address;
    } else if (target.kind === "unix-stream" || target.kind === "tcp") {
      if (!binding.codec.frame) {
        throw new MidgramError("usage", `Cannot serve "${name}": stream sockets carry binrpc only`);
      }
      const listener = await this.transport.listenStream(target, bind);
      // Closing the listener leaves the accepted connections open for their replies.
      this.keep(listener, binding, () => listener.close());
      this.loops.push(acceptLoop(this, listener, binding));
      bound = listener.address;
    } else {
      const listener = await this.listenRequests(target, binding, bind);
      // Stopping ends receiving at once; replies still go out (a FIFO's
      // into the clients' own FIFOs, HTTP on connections already open).
      this.keep(listener, binding, () => listener.stop(), () => listener.retained?.());
      this.loops.push(requestLoop(this, listener, binding));
      bound = listener.address;
    }
    const socket = { address: bound };
    this.logger.log("info", "listening", {
      address: formatAddress(socket.address),
      dialect: binding.codec.dialect,
      flavour: binding.codec.flavour,
    });
    return socket.address;
  }

  /** Keeps a bound socket (or FIFO, or HTTP listener) with its dialect, for close() and ctl.listen. */
  private keep(
    listener: { readonly address: AnyAddress; close(): Promise<void> },
    binding: Binding,
    stop?: () => unknown,
    retained?: () => { requests: number; bytes: number } | undefined,
  ): void {
    this.listeners.push({
      address: listener.address,
      close: () => listener.close(),
      stop,
      dialect: binding.codec.dialect,
      retained,
    });
  }

  /** Keeps a running request (or connection) until it ends, so that close() waits for it. */
  track(task: Promise<void>): void {
    this.inFlight.add(task);
    // Tasks do not reject; should one (a throwing logger or transport of an
    // embedder), it is logged rather than left unhandled.
    void task.then(
      () => this.inFlight.delete(task),
      (error) => {
        this.inFlight.delete(task);
        this.warnings.log("error", "internal", "internal error", { error: String(error) });
      },
    );
  }

  /** Opens a FIFO or HTTP listener for a binding whose dialect they carry. */
  private async listenRequests(
    target: RequestAddress,
    binding: Binding,
    bind: BindOptions,
  ): Promise<RequestListener> {
    const { codec, keys } = binding;
    if (target.kind === "fifo" ? !codec.fifo : !codec.http) {
      const carrier = target.kind === "fifo"
        ? "FIFOs carry JSON-RPC and ctlfifo only"
        : "HTTP carries JSON-RPC only";
      throw new MidgramError("usage", `Cannot serve "${formatAddress(target)}": ${carrier}`);
    }
    return await this.transport.listenRequests(target, {
      ...bind,
      fifo: codec.fifo,
      replyDir: this.fifoReplyDir,
      onDrop: (drop) => {
        this.count(keys[drop.kind === "too-large" ? "oversized" : "invalid_requests"]);
        this.logger.log("debug", "FIFO request dropped", { reason: drop.reason });
      },
      http: codec.http,
      gate: this.gate(binding),
      idleTimeoutMs: this.idleTimeoutMs,
    });
  }

  /** Runs what handlers asked to run after their reply; one that throws is logged. */
  runAfterReply(after: (() => void)[]): void {
    for (const action of after) {
      try {
        action();
      } catch (error) {
        this.warnings.log("error", "after-reply", "after-reply action failed", {
          error: String(error),
        });
      }
    }
  }

  handle(
    data: Uint8Array,
    from: Address | null = null,
    options: HandleOptions = {},
  ): Promise<Uint8Array | null> {
    const after: (() => void)[] = [];
    return Promise.resolve(
      this.pipeline.process(this.binding(options.dialect, options.flavour), data, from, after),
    ).then((r) => {
      this.runAfterReply(after);
      return r.reply;
    });
  }

  close(options: CloseOptions = {}): Promise<void> {
    const { signal } = options;
    // The signal cancels synchronously, in its abort event: a process that
    // exits right after aborting it has still stopped what its commands started.
    const cancel = () => this.pool.cancel();
    if (signal?.aborted) this.pool.cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    this.closing ??= this.shutDown(options);
    return this.closing.finally(() => signal?.removeEventListener("abort", cancel));
  }

  private async shutDown(options: CloseOptions): Promise<void> {
    this.closed = true;
    // Stop receiving at once: the loops end, listeners that replies do not
    // need close (their socket files go); datagram sockets stay to answer.
    this.receiving.abort(new MidgramError("closed", "The server is closing"));
    for (const listener of this.listeners) {
      try {
        await listener.stop?.();
      } catch (error) {
        this.logger.log("warn", "cannot stop listening", { error: String(error) });
      }
    }
    await Promise.allSettled(this.loops);
    // The grace period: running handlers finish and answer, up to timeoutMs
    // or until the signal says stop now; then what is left is cancelled.
    const graceMs = options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const signal = options.signal;
    if (this.inFlight.size > 0 && !this.pool.cancelled) {
      if (graceMs > 0) {
        this.logger.log("info", "waiting for running commands", {
          running: this.pool.runningContexts.size,
          ms: graceMs,
        });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        onAbort = resolve;
        signal?.addEventListener("abort", onAbort, { once: true });
      });
      try {
        await Promise.race([this.drained(), graceOver]);
      } finally {
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener("abort", onAbort);
      }
    }
    this.pool.cancel();
    // Cancelled commands answer at once; their replies go out (each within --timeout).
    await this.drained();
    const listeners = this.listeners.splice(0);
    await Promise.all(listeners.map((s) => s.close()));
    await Promise.all([...this.connections.keys()].map((c) => c.close()));
  }

  /** Resolves once no request is in flight. */
  private async drained(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

/** A value a handler can return, re-exported for users of the text layout. */
export type { MiArgument, Value };

/**
 * Creates a management server with the real servers' built-in commands.
 * Each socket speaks one dialect; commands registered with `register` are
 * served in all of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createServer } from "./server.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 *
 * const server = createServer({ transport: createMemoryTransport() });
 * server.register("echo", (params) => params.kind === "positional" ? [...params.values] : null);
 * const reply = await server.handle(new TextEncoder().encode(":echo:\nhello\n"));
 * assert.equal(new TextDecoder().decode(reply!), "200 OK\nhello\n\n");
 * await server.close();
 * ```
 */
export function createServer(options: ServerOptions): MiServer {
  return new Server(options);
}
