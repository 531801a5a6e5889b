/**
 * The public shape of a management server: its options and the
 * {@linkcode MiServer} interface that {@linkcode createServer} returns.
 *
 * @module
 */
import type { DialectName } from "../protocol/dialect.ts";
import type { Address, AnyAddress, BindOptions, Transport } from "../transport/types.ts";
import type { CacheLimits } from "./builtins/cache_store.ts";
import type { MiHandler } from "./builtins/mi_set.ts";
import type { BuiltinFlavour, CommandOptions, Handler, HostInfo, Logger } from "./types.ts";

/** Options of `createServer()`. */
export interface ServerOptions {
  /** The runtime's sockets: `defaultTransport()` on Deno or Node, or an in-memory transport. */
  transport: Transport;
  /** Reply indent string of the text dialect (`reply_indent`); default one TAB. */
  indent?: string;
  /** Time limit for sending one reply (`socket_timeout`); default 2000 ms. */
  replyTimeoutMs?: number;
  /**
   * Handlers running at once; default 4. A handler that ignores its time
   * limit keeps its place until it really ends.
   */
  children?: number;
  /** Requests waiting for a free handler before a busy error; default 1000. */
  queueLimit?: number;
  /** A handler running longer fails (`500 command failed`); default 10000 ms. */
  handlerTimeoutMs?: number;
  /** Built-in commands: all (default), none (`false`), or all but some. */
  builtins?: boolean | { disable?: string[] };
  /**
   * CIDR ranges of the IP peers (UDP, TCP, HTTP) that are answered; default:
   * all. A TCP or HTTP connection from outside is closed at once.
   */
  allow?: string[];
  /**
   * A stream or HTTP connection on which nothing arrives for this long is
   * closed: before its first request, inside one, or between two. Default
   * 5000 ms.
   */
  idleTimeoutMs?: number;
  /** Connections open at once on each stream or HTTP listener; more are closed at once. Default 256. */
  maxConnections?: number;
  /** Limits of the `cache_store` built-ins. */
  cache?: CacheLimits;
  /** FIFO sockets: the directory where clients make their reply FIFOs (`reply_dir`); default `/tmp`. */
  fifoReplyDir?: string;
  /**
   * binrpc: a parameter of another type is converted where it can be (an
   * integer from a string of digits or a double, a string from an integer)
   * instead of failing, as ctl's `autoconversion` parameter does; default
   * false, as in ctl. ctl's FIFO protocol always converts (its parameters are text).
   */
  autoconversion?: boolean;
  logger?: Logger;
  host?: Partial<HostInfo>;
  /** What `version` reports after `Server:: `. */
  version?: string;
}

/** How a socket is served. */
export interface ListenOptions extends BindOptions {
  /** The dialect spoken on the socket; default `mi`. */
  dialect?: DialectName;
  /** JSON-RPC: answer as `opensips` (3.x `mi_datagram`, the default) or `kamailio` (`jsonrpcs`). */
  flavour?: "opensips" | "kamailio";
}

/** Options of {@linkcode MiServer.close}. */
export interface CloseOptions {
  /**
   * How long running commands may go on to finish and answer (the grace
   * period); past it, what still runs is cancelled and answered with the
   * dialect's error (`500 command cancelled`). Default 10000 ms.
   */
  timeoutMs?: number;
  /** Aborting it ends the grace period at once (a second stop signal). */
  signal?: AbortSignal;
}

/** Which dialect and flavour {@linkcode MiServer.handle} uses. */
export interface HandleOptions {
  dialect?: DialectName;
  flavour?: "opensips" | "kamailio";
}

/**
 * What a server holds for its peers at one moment: each count is 0 when no
 * request is under way, and the tables stay bounded whatever peers send.
 * Read by the hostile-input tests after each flood.
 */
export interface Retained {
  /** Stream connections open (UNIX stream, TCP). */
  connections: number;
  /** Connections the stream and HTTP listeners count against `maxConnections`. */
  gatedConnections: number;
  /** Requests (and connections) being served: replies not yet sent. */
  inFlight: number;
  /** Handlers holding a place. */
  handlersRunning: number;
  /** Requests waiting for a handler's place. */
  handlersWaiting: number;
  /** Bytes of packets not yet whole, held by the stream connections' readers. */
  streamBytes: number;
  /** FIFO and HTTP requests received and not yet taken. */
  requestsWaiting: number;
  /** Bytes the FIFO and HTTP listeners hold: requests not yet taken, a FIFO's partial request. */
  requestBytes: number;
  /** Causes the rate-limited log remembers (a small fixed set). */
  logCauses: number;
  /** Counters (fixed per dialect, plus one per registered command called). */
  counters: number;
}

/** A management server speaking any mix of dialects on its sockets. */
export interface MiServer {
  /**
   * Registers a command served in every dialect: it takes neutral
   * parameters and returns a neutral value. Throws TypeError for a
   * duplicate or an invalid name.
   */
  register(name: string, handler: Handler, options?: CommandOptions): void;
  /**
   * Registers a command in the OpenSIPS 2.4 layout: argument lines in,
   * reply nodes (or a whole reply) out; written as they are in the text
   * dialect and as neutral values in the others.
   */
  registerMi(name: string, handler: MiHandler, options?: CommandOptions): void;
  /** Removes a user command; returns whether it existed. */
  unregister(name: string): boolean;
  /** The command names served on a socket of this flavour (default: the text dialect's). */
  commands(flavour?: BuiltinFlavour): string[];
  /** The help text of a command, or undefined. */
  help(name: string, flavour?: BuiltinFlavour): string | undefined;
  /**
   * Binds a socket (UNIX datagram or stream, UDP, TCP, a FIFO, or an HTTP
   * URL) and serves it; returns the bound address (the real port for port 0).
   */
  listen<T extends AnyAddress>(address: T, options?: ListenOptions): Promise<T>;
  listen(address: AnyAddress | string, options?: ListenOptions): Promise<AnyAddress>;
  /** The addresses served now. */
  addresses(): AnyAddress[];
  /** The full decode → dispatch → encode pipeline without a socket; `null` = no reply. */
  handle(
    data: Uint8Array,
    from?: Address | null,
    options?: HandleOptions,
  ): Promise<Uint8Array | null>;
  /** The counters, `group:name` → value. */
  stats(): Record<string, number>;
  /** Resets counters (all when no names are given); returns the names reset. */
  resetStats(names?: string[]): string[];
  /**
   * What the server holds for its peers now (connections, requests,
   * buffered bytes, its tables): read-only accounting, so that a test or a
   * monitor can see that what a flood took is given back.
   */
  retained(): Retained;
  /** The host information in use. */
  readonly host: HostInfo;
  /** When the server was created. */
  readonly startedAt: Date;
  /**
   * Stops gracefully: stops receiving at once (stream, FIFO and HTTP
   * listeners close; datagram sockets stay open, unread, to send the
   * replies), lets running handlers finish within `timeoutMs` and sends
   * their replies, cancels what is left with the dialect's error, then
   * closes every socket. A second call waits for the same end.
   */
  close(options?: CloseOptions): Promise<void>;
}
