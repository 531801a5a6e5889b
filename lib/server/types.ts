/**
 * The types command handlers and built-in sets are written against, apart
 * from the server itself so that handlers and built-ins never import it.
 *
 * @module
 */
import type { DialectName, NativeResult } from "../protocol/dialect.ts";
import type { MiArgument } from "../protocol/mi/mod.ts";
import type { Params, Value } from "../protocol/value.ts";
import type { Address } from "../transport/types.ts";

/** Log levels, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Where the server writes its log lines. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** Whether lines of this level are written (the server skips building the rest). */
  enabled?(level: LogLevel): boolean;
}

/** What the server needs from its host process; injected so the core stays runtime-neutral. */
export interface HostInfo {
  pid: number;
  cwd(): string;
  argv: string[];
  /** e.g. `node 20.20.2` */
  runtime: string;
  now(): Date;
  /** Called after the `kill` built-in's reply has been sent. */
  onKill?(): void;
  /** Called by `log_level N` with the OpenSIPS-style level number. */
  onLogLevel?(level: number): void;
  /** The current OpenSIPS-style log level, for `log_level` without arguments. */
  logLevel?(): number;
}

/**
 * The built-in sets, each in one real server's layout and names:
 * `opensips-2.4` (text MI), `opensips` (OpenSIPS 3.x JSON-RPC),
 * `kamailio` (Kamailio 5.x binrpc and jsonrpcs).
 */
export type BuiltinFlavour = "opensips-2.4" | "opensips" | "kamailio";

/** What a handler gets besides the parameters. */
export interface HandlerContext {
  /** The method (command) name as called. */
  method: string;
  /** The dialect of the request. */
  dialect: DialectName;
  /** The built-in set of the socket the request came in on. */
  flavour: BuiltinFlavour;
  /**
   * binrpc: parameters of another type are converted where Kamailio's ctl
   * can (its `autoconversion` parameter; the server's option of that name).
   */
  readonly autoconversion?: boolean;
  /** Text MI only: the argument lines as parsed (empty for other dialects). */
  args: MiArgument[];
  /** The peer, when known. */
  from: Address | null;
  /** Aborted when the handler runs out of time or the server closes. */
  signal: AbortSignal;
  /** The method names served on this socket (built-ins of its flavour and user commands). */
  commands(): string[];
  /** The help text of a method served on this socket, or undefined. */
  help(name: string): string | undefined;
  /** Runs `action` once this request's reply has been sent (or could not be). */
  afterReply(action: () => void): void;
}

/**
 * What a handler returns: a neutral value (each dialect writes it in its own
 * form), a dialect's native result, or nothing (success with no data).
 */
export type HandlerResult = Value | NativeResult | void | undefined;

/** A command handler. Throw `RpcError` (or `MiReplyError`) for an error reply. */
export type Handler = (
  params: Params,
  context: HandlerContext,
) => HandlerResult | Promise<HandlerResult>;

/** Options of a registered command. */
export interface CommandOptions {
  /** The command takes no input: its parameters are never parsed (MI's `MI_NO_INPUT_FLAG`). */
  noInput?: boolean;
  /** One line for `help`. */
  help?: string;
  /**
   * OpenSIPS-3-style parameter recipes: the lists of parameter names the
   * command accepts. When given, JSON-RPC calls are checked against them
   * (-32602 as OpenSIPS answers) and named parameters are passed in recipe order.
   */
  recipes?: string[][];
}

/** A registered command. */
export interface Command {
  handler: Handler;
  noInput: boolean;
  help: string;
  recipes?: string[][];
}
