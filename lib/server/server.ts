import { errorCodeOf, MidgramError } from "../errors.ts";
import { analyzeRequest } from "../protocol/mi/analyze_request.ts";
import { formatReply } from "../protocol/mi/format_reply.ts";
import { MAX_DATAGRAM_SIZE } from "../protocol/mi/limits.ts";
import { readCommandName } from "../protocol/mi/read_command_name.ts";
import { errorReply, FIXED_REPLIES, okReply } from "../protocol/mi/reply_builders.ts";
import type { MiArgument, MiNode, MiReply } from "../protocol/mi/types.ts";
import { formatAddress, parseAddress } from "../transport/address.ts";
import { defaultTransport } from "../transport/open.ts";
import {
  type Address,
  type BindOptions,
  type DatagramSocket,
  RECEIVE_BUFFER_SIZE,
  type Transport,
} from "../transport/types.ts";
import { VERSION } from "../version.ts";
import { isAllowed, parseAllowList } from "./_cidr.ts";
import { registerBuiltins } from "./builtins/mod.ts";
import { MiReplyError } from "./mi_reply_error.ts";

/** Log levels, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Where the server writes its log lines. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** What the server needs from its host process; injected so the core stays runtime-neutral. */
export interface HostInfo {
  pid: number;
  cwd(): string;
  argv: string[];
  /** e.g. `node 20.20.2` */
  runtime: string;
  now(): Date;
  /** Called after the `kill` built-in has replied. */
  onKill?(): void;
  /** Called by `log_level N` with the OpenSIPS-style level number. */
  onLogLevel?(level: number): void;
  /** The current OpenSIPS-style log level, for `log_level` without arguments. */
  logLevel?(): number;
}

/** Options of {@linkcode createServer}. */
export interface ServerOptions {
  /** Default: the transport of the runtime. */
  transport?: Transport;
  /** Reply indent string (`reply_indent`); default one TAB. */
  indent?: string;
  /** Time limit for sending one reply (`socket_timeout`); default 2000 ms. */
  replyTimeoutMs?: number;
  /** Handlers running at once; default 4. */
  children?: number;
  /** Requests waiting for a free handler before `500 Server busy`; default 1000. */
  queueLimit?: number;
  /** A handler running longer gets `500 command failed`; default 10000 ms. */
  handlerTimeoutMs?: number;
  /** Built-in commands: all (default), none (`false`), or all but some. */
  builtins?: boolean | { disable?: string[] };
  /** CIDR ranges of UDP peers that are answered; default: all. */
  allow?: string[];
  logger?: Logger;
  host?: Partial<HostInfo>;
  /** What `version` reports after `Server:: `. */
  version?: string;
}

/** What a handler gets besides the arguments. */
export interface HandlerContext {
  command: string;
  from: Address | null;
  /** Aborted when the handler runs out of time or the server closes. */
  signal: AbortSignal;
  server: MiServer;
}

/**
 * A command handler: returns a reply, a list of nodes for `200 OK`, or
 * nothing (`200 OK` with no nodes); throws {@linkcode MiReplyError} for an
 * error reply.
 */
export type MiHandler = (
  args: MiArgument[],
  context: HandlerContext,
) => MiReply | MiNode[] | void | Promise<MiReply | MiNode[] | void>;

/** Options of a registered command. */
export interface CommandOptions {
  /** The command takes no input: its arguments are never parsed (like the real servers' `MI_NO_INPUT_FLAG`). */
  noInput?: boolean;
  /** One line for `help`. */
  help?: string;
}

interface Command {
  handler: MiHandler;
  noInput: boolean;
  help: string;
}

/** Counter names: `group:name`. */
const COUNTERS = [
  "mi:requests",
  "mi:bytes_in",
  "mi:bytes_out",
  "mi:empty",
  "mi:oversized",
  "mi:unknown_commands",
  "mi:parse_errors",
  "mi:handler_errors",
  "mi:handler_timeouts",
  "mi:busy",
  "mi:unrepresentable_replies",
  "mi:oversized_replies",
  "mi:denied",
  "mi:send_errors",
  "mi:no_reply_address",
  "mi:receive_errors",
] as const;

/** A datagram MI server. */
export interface MiServer {
  /** Registers a command. Throws TypeError for a duplicate or an invalid name. */
  register(name: string, handler: MiHandler, options?: CommandOptions): void;
  /** Removes a command; returns whether it existed. */
  unregister(name: string): boolean;
  /** The registered command names, in registration order. */
  commands(): string[];
  /** The help text of a command, or undefined. */
  help(name: string): string | undefined;
  /** Binds a socket and serves it; returns the bound address (the real port for port 0). */
  listen(address: Address | string, options?: BindOptions): Promise<Address>;
  /** The addresses served now. */
  addresses(): Address[];
  /** The full request → reply pipeline without a socket; `null` = no reply. */
  handle(data: Uint8Array, from?: Address | null): Promise<Uint8Array | null>;
  /** The counters, `group:name` → value. */
  stats(): Record<string, number>;
  /** Resets counters (all when no names are given); returns the names reset. */
  resetStats(names?: string[]): string[];
  /** The host information in use. */
  readonly host: HostInfo;
  /** When the server was created. */
  readonly startedAt: Date;
  /** Closes every socket and waits for running handlers (up to their time limit). */
  close(): Promise<void>;
}

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

const encoder = new TextEncoder();
const FIXED = {
  commandNotAvailable: encoder.encode(FIXED_REPLIES.commandNotAvailable),
  parseError: encoder.encode(FIXED_REPLIES.parseError),
  commandFailed: encoder.encode(FIXED_REPLIES.commandFailed),
};

// A name the first line can carry and the real servers could register.
// deno-lint-ignore no-control-regex
const NAME_OK = /^[^\s:\x00-\x1f\x7f]+$/;

class Server implements MiServer {
  readonly host: HostInfo;
  readonly startedAt: Date;
  private readonly transport: Transport;
  private readonly indent: string;
  private readonly replyTimeoutMs: number;
  private readonly children: number;
  private readonly queueLimit: number;
  private readonly handlerTimeoutMs: number;
  private readonly allow: ReturnType<typeof parseAllowList> | null;
  private readonly logger: Logger;
  private readonly registry = new Map<string, Command>();
  private readonly counters = new Map<string, number>();
  private readonly sockets: DatagramSocket[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(options: ServerOptions) {
    this.transport = options.transport ?? defaultTransport();
    this.indent = options.indent ?? "\t";
    this.replyTimeoutMs = options.replyTimeoutMs ?? 2000;
    this.children = Math.max(1, options.children ?? 4);
    this.queueLimit = options.queueLimit ?? 1000;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 10_000;
    this.allow = options.allow && options.allow.length > 0 ? parseAllowList(options.allow) : null;
    this.logger = options.logger ?? { log: () => {} };
    this.host = { ...defaultHost(), ...options.host };
    this.startedAt = this.host.now();
    for (const name of COUNTERS) this.counters.set(name, 0);
    const builtins = options.builtins ?? true;
    if (builtins !== false) {
      registerBuiltins(this, {
        disable: builtins === true ? [] : builtins.disable ?? [],
        version: options.version ?? `midgram ${VERSION} (${this.host.runtime})`,
      });
    }
  }

  register(name: string, handler: MiHandler, options: CommandOptions = {}): void {
    if (typeof handler !== "function") {
      throw new TypeError(`register(): the handler of "${name}" is not a function`);
    }
    if (!NAME_OK.test(name)) {
      throw new TypeError(
        `register(): invalid command name ${
          JSON.stringify(name)
        }: no white space, ':' or control characters`,
      );
    }
    if (this.registry.has(name)) {
      throw new TypeError(`register(): command "${name}" is already registered`);
    }
    this.registry.set(name, {
      handler,
      noInput: options.noInput ?? false,
      help: options.help ?? "",
    });
  }

  unregister(name: string): boolean {
    return this.registry.delete(name);
  }

  commands(): string[] {
    return [...this.registry.keys()];
  }

  help(name: string): string | undefined {
    return this.registry.get(name)?.help;
  }

  addresses(): Address[] {
    return this.sockets.map((s) => s.address);
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

  private count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  async listen(address: Address | string, options?: BindOptions): Promise<Address> {
    if (this.closed) throw new MidgramError("closed", "The server is closed");
    const target = typeof address === "string" ? parseAddress(address) : address;
    const socket = await this.transport.bind(target, options);
    this.sockets.push(socket);
    void this.serve(socket);
    this.logger.log("info", "listening", { address: formatAddress(socket.address) });
    return socket.address;
  }

  private async serve(socket: DatagramSocket): Promise<void> {
    while (!this.closed) {
      let datagram;
      try {
        datagram = await socket.receive();
      } catch (error) {
        if (this.closed || errorCodeOf(error) === "closed") return;
        this.count("mi:receive_errors");
        this.logger.log("warn", "receive failed", {
          address: formatAddress(socket.address),
          error: String(error),
        });
        continue;
      }
      const { data, from } = datagram;
      if (this.allow && from?.kind === "udp" && !isAllowed(this.allow, from.host)) {
        this.count("mi:denied");
        this.logger.log("warn", "request from a peer outside --allow dropped", {
          from: formatAddress(from),
        });
        continue;
      }
      const task = this.answer(socket, data, from);
      this.inFlight.add(task);
      void task.finally(() => this.inFlight.delete(task));
    }
  }

  private async answer(
    socket: DatagramSocket,
    data: Uint8Array,
    from: Address | null,
  ): Promise<void> {
    let reply: Uint8Array | null;
    try {
      reply = await this.handle(data, from);
    } catch (error) {
      // handle() never throws; this is a last line of defence.
      this.logger.log("error", "internal error", { error: String(error) });
      reply = FIXED.commandFailed;
    }
    if (reply === null) return;
    if (from === null) {
      this.count("mi:no_reply_address");
      this.logger.log("warn", "cannot reply: the client socket has no address (bind it to a path)");
      return;
    }
    try {
      await socket.send(reply, from, { timeoutMs: this.replyTimeoutMs });
    } catch (error) {
      this.count("mi:send_errors");
      this.logger.log("info", "reply not delivered (client gone?)", {
        to: formatAddress(from),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async handle(data: Uint8Array, from: Address | null = null): Promise<Uint8Array | null> {
    this.count("mi:requests");
    this.count("mi:bytes_in", data.length);
    const reply = await this.reply(data, from);
    if (reply !== null) {
      this.count("mi:bytes_out", reply.length);
      const code = new TextDecoder().decode(reply.subarray(0, 3));
      this.count(`mi:replies_${code}`);
    }
    return reply;
  }

  private encode(reply: MiReply, command: string): Uint8Array {
    try {
      return encoder.encode(formatReply(reply, { indent: this.indent }));
    } catch (error) {
      if (errorCodeOf(error) === "reply-too-large") {
        this.count("mi:oversized_replies");
        this.logger.log("error", "reply too large", { command, error: (error as Error).message });
        return encoder.encode(formatReply(errorReply(500, (error as Error).message)));
      }
      this.count("mi:unrepresentable_replies");
      this.logger.log("error", "reply cannot be written", { command, error: String(error) });
      return FIXED.commandFailed;
    }
  }

  private async reply(data: Uint8Array, from: Address | null): Promise<Uint8Array | null> {
    if (data.length === 0) {
      this.count("mi:empty");
      return null;
    }
    if (data.length > MAX_DATAGRAM_SIZE) {
      this.count("mi:oversized");
      // A datagram that fills the receive buffer was cut by the OS: say so.
      const size = data.length === RECEIVE_BUFFER_SIZE
        ? `at least ${data.length}`
        : String(data.length);
      return this.encode(
        errorReply(400, `Request too large: ${size} bytes, the limit is ${MAX_DATAGRAM_SIZE}`),
        "",
      );
    }
    const first = readCommandName(data);
    const command = first ? this.registry.get(first.command) : undefined;
    if (!first || !command) {
      this.count("mi:unknown_commands");
      return FIXED.commandNotAvailable;
    }
    let args: MiArgument[] = [];
    if (!command.noInput) {
      const analysis = analyzeRequest(data, { mode: "compat" });
      if (!analysis.request) {
        this.count("mi:parse_errors");
        this.logger.log("debug", "parse error", {
          command: first.command,
          error: analysis.errors[0]?.message,
        });
        return FIXED.parseError;
      }
      args = analysis.request.args;
    }
    this.count(`mi_cmd:${first.command}`);
    const result = await this.run(first.command, command, args, from);
    return result instanceof Uint8Array ? result : this.encode(result, first.command);
  }

  /** Runs a handler within the concurrency and time limits. */
  private async run(
    name: string,
    command: Command,
    args: MiArgument[],
    from: Address | null,
  ): Promise<MiReply | Uint8Array> {
    if (this.running >= this.children) {
      if (this.waiting.length >= this.queueLimit) {
        this.count("mi:busy");
        return errorReply(500, "Server busy");
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    const controller = new AbortController();
    const onClose = () => controller.abort(new MidgramError("closed", "The server is closing"));
    this.closing.signal.addEventListener("abort", onClose, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), this.handlerTimeoutMs);
      });
      const work = Promise.resolve().then(() =>
        command.handler(args, { command: name, from, signal: controller.signal, server: this })
      );
      const outcome = await Promise.race([work, timeout]);
      if (outcome === "timeout") {
        controller.abort(new MidgramError("timeout", `Command "${name}" ran out of time`));
        work.catch(() => {});
        this.count("mi:handler_timeouts");
        this.logger.log("error", "handler timed out", { command: name, ms: this.handlerTimeoutMs });
        return FIXED.commandFailed;
      }
      if (outcome === undefined || Array.isArray(outcome)) return okReply(outcome ?? []);
      return outcome;
    } catch (error) {
      if (error instanceof MiReplyError) return errorReply(error.miCode, error.reason);
      this.count("mi:handler_errors");
      this.logger.log("error", "handler failed", {
        command: name,
        error: error instanceof Error ? error.stack ?? error.message : String(error),
      });
      return FIXED.commandFailed;
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener("abort", onClose);
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const sockets = this.sockets.splice(0);
    await Promise.all(sockets.map((s) => s.close()));
    this.closing.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}

/**
 * Creates a datagram MI server with the real servers' built-in commands.
 *
 * @example
 * ```ts
 * import { createServer, MiReplyError } from "./mod.ts";
 * import { node } from "../protocol/mod.ts";
 *
 * const server = createServer();
 * server.register("echo", (args) => {
 *   if (args.length === 0) throw new MiReplyError(400, "Too few or too many arguments");
 *   return args.map((a) => node(a.name, a.value));
 * }, { help: "echoes its arguments" });
 * await server.listen("udp:127.0.0.1:0");
 * await server.close();
 * ```
 */
export function createServer(options: ServerOptions = {}): MiServer {
  return new Server(options);
}
