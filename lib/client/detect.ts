import { MidgramError } from "../errors.ts";
import type { DialectName, ReplyOutcome } from "../protocol/dialect.ts";
import { type Flavour, peerOf } from "../protocol/peer.ts";
import { formatAddress, sameAddress } from "../transport/address.ts";
import { fifoReader, readTextFile } from "../transport/fifo_readers.ts";
import { unixSocketType } from "../transport/presence.ts";
import { limit } from "./_limit.ts";
import type { AnyAddress, Transport } from "../transport/types.ts";

/** What {@linkcode detectDialect} found. */
export interface Detected {
  dialect: DialectName;
  /** JSON-RPC only: whose answers it gave. */
  flavour?: "opensips" | "kamailio";
  /** How it was found, for the message the CLI prints. */
  how: string;
  /** The address to use when it is not the one given (a bare path that is a stream socket). */
  address?: AnyAddress;
}

/**
 * The probe: a JSON-RPC call of `version`, which every server either runs
 * without side effects or refuses. The empty line after it (white space to
 * JSON) ends a request of ctl's FIFO protocol, whose first line must start
 * with `:`: ctl refuses it before any method runs, with a bare `200 OK`.
 */
const PROBE = new TextEncoder().encode(
  '{"jsonrpc":"2.0","method":"version","id":"midgram-probe"}\n\n',
);

/** The peer whose "method not found" to OpenSIPS's `version` tells Kamailio's jsonrpcs. */
const KAMAILIO_JSONRPC = peerOf("jsonrpc", "kamailio");

/** What a JSON-RPC answer to the probe says; `null` when it cannot be read. */
function probeOutcome(bytes: Uint8Array): ReplyOutcome | null {
  try {
    return KAMAILIO_JSONRPC.clientCodec().decodeReply(bytes, undefined);
  } catch {
    return null;
  }
}

/**
 * Classifies the answer to the probe: binrpc replies start with the magic
 * byte 0xA1, JSON-RPC ones with `{`, text MI ones with a 3-digit code
 * (a 2.4 server answers `500 command not available` to a first line that is
 * not `:command:`). Kamailio's `jsonrpcs` is told from OpenSIPS by its
 * method-not-found to `version` (500 `Method Not Found`, as its peer object
 * knows it; OpenSIPS answers a result). ctl's FIFO protocol
 * answers exactly `200 OK` and a line end, which no text MI server answers
 * to a line that is no command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyProbeReply } from "./detect.ts";
 * assert.equal(classifyProbeReply(new TextEncoder().encode("500 command not available\n"))?.dialect, "mi");
 * assert.equal(classifyProbeReply(new TextEncoder().encode("200 OK\n"))?.dialect, "ctlfifo");
 * ```
 */
export function classifyProbeReply(bytes: Uint8Array): Detected | null {
  if (bytes.length > 0 && bytes[0] === 0xa1) {
    return { dialect: "binrpc", how: "it answered a JSON probe with a binrpc fault" };
  }
  const text = new TextDecoder().decode(bytes.subarray(0, 4096)).trimStart();
  if (text.startsWith("{")) {
    const kamailio = KAMAILIO_JSONRPC.isMethodNotFound(probeOutcome(bytes));
    return {
      dialect: "jsonrpc",
      flavour: kamailio ? "kamailio" : "opensips",
      how: kamailio
        ? "it answered a JSON-RPC probe as Kamailio's jsonrpcs"
        : "it answered a JSON-RPC probe as OpenSIPS 3",
    };
  }
  if (text === "200 OK\n") {
    return {
      dialect: "ctlfifo",
      how:
        "it refused a JSON-RPC probe with a bare 200 OK, as Kamailio's ctl does in its FIFO protocol",
    };
  }
  if (/^\d{3} /.test(text)) {
    return { dialect: "mi", how: "it answered a JSON-RPC probe in the text MI layout" };
  }
  return null;
}

/** What {@linkcode fifoFlavour} found: whose FIFO it is, and how that is known. */
export interface FifoFlavour {
  flavour: "opensips" | "kamailio";
  how: string;
  /** Known from the process that reads the FIFO (not only from its name). */
  seen: boolean;
  /**
   * The reply directory the server's config file sets (`jsonrpcs`'
   * `fifo_reply_dir`, `mi_fifo`'s `reply_dir`), when the reader's `-f` file
   * could be read and sets one.
   */
  replyDir?: string;
}

/** The modules and parameters that name a FIFO server's reply directory. */
const REPLY_DIR_PARAM: Record<"opensips" | "kamailio", [string, string]> = {
  kamailio: ["jsonrpcs", "fifo_reply_dir"],
  opensips: ["mi_fifo", "reply_dir"],
};

/**
 * The reply directory a server's config file sets: its `-f FILE` (relative
 * to its working directory), a `modparam` line outside comments; null when
 * unknown (then the servers' default, `/tmp`, holds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configuredReplyDir } from "./detect.ts";
 * assert.equal(configuredReplyDir("kamailio", ["-f", "/nonexistent.cfg"], "/"), null);
 * ```
 */
export function configuredReplyDir(
  flavour: "opensips" | "kamailio",
  args: readonly string[],
  cwd: string | null,
): string | null {
  const at = args.indexOf("-f");
  if (at < 0 || at + 1 >= args.length) return null;
  let file = args[at + 1];
  if (!file.startsWith("/")) {
    if (cwd === null) return null;
    file = `${cwd}/${file}`;
  }
  const text = readTextFile(file);
  if (text === null) return null;
  const [module, param] = REPLY_DIR_PARAM[flavour];
  const line = new RegExp(
    `^\\s*modparam\\s*\\(\\s*"${module}"\\s*,\\s*"${param}"\\s*,\\s*"([^"]+)"\\s*\\)`,
  );
  let found: string | null = null;
  for (const l of text.split("\n")) {
    const m = line.exec(l);
    if (m) found = m[1]; // the last one wins, as for every modparam
  }
  return found;
}

/**
 * Whose JSON-RPC FIFO `path` is, without writing to it: the program that
 * holds it open for reading (`kamailio` or `opensips`, seen in `/proc` as
 * root or as the server's user), else a file name that says so (Kamailio's
 * default `kamailio_rpc.fifo`, OpenSIPS's `opensips_fifo`); `null` when it
 * cannot be known (then OpenSIPS's framing is written, and a timeout says
 * to try `--flavour kamailio`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fifoFlavour } from "./detect.ts";
 * assert.equal(fifoFlavour("/nonexistent/kamailio_rpc.fifo")?.flavour, "kamailio");
 * ```
 */
export function fifoFlavour(path: string): FifoFlavour | null {
  const reader = fifoReader(path);
  const program = reader?.program.toLowerCase() ?? "";
  for (const flavour of ["kamailio", "opensips"] as const) {
    if (program.startsWith(flavour)) {
      const replyDir = configuredReplyDir(flavour, reader!.args, reader!.cwd) ?? undefined;
      return {
        flavour,
        how: `${reader!.program} (pid ${reader!.pid}) reads it${
          replyDir ? `, its config sets the reply directory ${replyDir}` : ""
        }`,
        replyDir,
        seen: true,
      };
    }
  }
  const file = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  for (const flavour of ["kamailio", "opensips"] as const) {
    if (file.includes(flavour)) {
      return { flavour, how: `its name "${file}" says so`, seen: false };
    }
  }
  return null;
}

/** What {@linkcode configuredFifoReplyDir} found lately, per FIFO: a server's config changes only with a restart. */
const replyDirs = new Map<string, { dir: string | null; at: number }>();
const REPLY_DIR_KEPT_MS = 60_000;

/**
 * The reply directory that the server reading the FIFO at `path` sets in
 * its config file ({@linkcode fifoFlavour}), or null: what a FIFO request
 * uses when no reply directory is given (else the servers' default, /tmp).
 * Kept a minute per path, so a client that sends many requests reads
 * `/proc` once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configuredFifoReplyDir } from "./detect.ts";
 * assert.equal(configuredFifoReplyDir("/nonexistent/fifo"), null);
 * ```
 */
export function configuredFifoReplyDir(path: string): string | null {
  const now = Date.now();
  const kept = replyDirs.get(path);
  if (kept && now - kept.at < REPLY_DIR_KEPT_MS) return kept.dir;
  const dir = fifoFlavour(path)?.replyDir ?? null;
  replyDirs.set(path, { dir, at: now });
  return dir;
}

/**
 * Whether {@linkcode detectDialect} has something to find for a target:
 * its dialect is `auto`, or it is a JSON-RPC FIFO whose flavour is not given
 * (the framing written depends on it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mustDetect } from "./detect.ts";
 * assert.equal(mustDetect({ dialect: "jsonrpc", address: { kind: "fifo", path: "/tmp/f" } }), true);
 * assert.equal(
 *   mustDetect({ dialect: "binrpc", address: { kind: "tcp", host: "::1", port: 2049 } }),
 *   false,
 * );
 * ```
 */
export function mustDetect(
  target: { dialect: DialectName | "auto"; flavour?: string; address: AnyAddress },
): boolean {
  return target.dialect === "auto" ||
    (target.dialect === "jsonrpc" && target.flavour === undefined &&
      target.address.kind === "fifo");
}

/**
 * A target as {@linkcode detectDialect} found it: the dialect it names unless
 * `auto`, the flavour and address found where the probe found them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withDetected } from "./detect.ts";
 * const target = { dialect: "auto" as const, address: { kind: "unix" as const, path: "/run/k" } };
 * const found = { dialect: "binrpc" as const, how: "a stream socket",
 *   address: { kind: "unix-stream" as const, path: "/run/k" } };
 * assert.deepEqual(withDetected(target, found), {
 *   dialect: "binrpc",
 *   flavour: undefined,
 *   address: { kind: "unix-stream", path: "/run/k" },
 * });
 * ```
 */
export function withDetected(
  target: { dialect: DialectName | "auto"; flavour?: Flavour; address: AnyAddress },
  found: Detected,
): { dialect: DialectName; flavour?: Flavour; address: AnyAddress } {
  return {
    dialect: target.dialect === "auto" ? found.dialect : target.dialect,
    flavour: found.flavour ?? target.flavour,
    address: found.address ?? target.address,
  };
}

/**
 * Finds the dialect a server speaks, without running anything with side
 * effects: stream sockets speak binrpc, FIFOs and HTTP speak JSON-RPC (a
 * FIFO's flavour from {@linkcode fifoFlavour}), and datagram sockets are
 * asked a JSON-RPC `version` (which a text MI, binrpc or ctlfifo server
 * refuses unread). ctl's FIFO protocol is recognised on datagram sockets
 * only: on a FIFO or a TCP connection a probe in one dialect can be taken by
 * a server of another as the start of a request that never ends (or be run
 * as one), so those need `--dialect ctlfifo`. Also the way to learn only a
 * FIFO's flavour when the dialect is known: nothing is sent to a FIFO.
 *
 * @throws {MidgramError} `timeout` when the server does not answer the probe,
 *   `reply-syntax` when the answer is in no known dialect, the transport's codes.
 */
export async function detectDialect(
  to: AnyAddress,
  options: { transport: Transport; timeoutMs: number; signal?: AbortSignal },
): Promise<Detected> {
  const name = formatAddress(to);
  if (to.kind === "unix-stream" || to.kind === "tcp") {
    return { dialect: "binrpc", how: "stream sockets speak binrpc (Kamailio ctl)" };
  }
  if (to.kind === "fifo") {
    const found = fifoFlavour(to.path);
    // The request that follows needs the reply directory: /proc is read once.
    replyDirs.set(to.path, { dir: found?.replyDir ?? null, at: Date.now() });
    return found
      ? { dialect: "jsonrpc", flavour: found.flavour, how: `FIFOs speak JSON-RPC; ${found.how}` }
      : { dialect: "jsonrpc", how: "FIFOs speak JSON-RPC (whose FIFO it is is not known)" };
  }
  if (to.kind === "http") {
    return { dialect: "jsonrpc", how: "HTTP speaks JSON-RPC" };
  }
  // A stream socket at a bare path (Kamailio's ctl, as kamcmd reads it):
  // known before a reply socket is made for a probe it could not answer.
  if (to.kind === "unix" && unixSocketType(to.path) === "stream") {
    return {
      dialect: "binrpc",
      how: "it is a UNIX stream socket, which only Kamailio's ctl (binrpc) serves",
      address: { kind: "unix-stream", path: to.path },
    };
  }
  const target = await options.transport.resolve(to);
  const socket = await options.transport.connectable(target);
  const wait = limit(options.timeoutMs, options.signal);
  try {
    try {
      await socket.send(PROBE, target, { timeoutMs: options.timeoutMs });
    } catch (error) {
      // A stream socket at a path: Kamailio's ctl (kamcmd reads a bare path so).
      if (
        target.kind === "unix" && error instanceof MidgramError && error.code === "not-a-socket" &&
        /stream socket/.test(error.message)
      ) {
        return {
          dialect: "binrpc",
          how: "it is a UNIX stream socket, which only Kamailio's ctl (binrpc) serves",
          address: { kind: "unix-stream", path: target.path },
        };
      }
      throw error;
    }
    while (true) {
      let datagram;
      try {
        datagram = await socket.receive(wait.signal);
      } catch (error) {
        throw wait.error(
          name,
          `No answer from "${name}" to the dialect probe within ${options.timeoutMs} ms: is the server running? (--dialect skips the probe)`,
        ) ?? error;
      }
      if (
        target.kind === "udp" && (datagram.from === null || !sameAddress(datagram.from, target))
      ) continue;
      const found = classifyProbeReply(datagram.data);
      if (found) return found;
      throw new MidgramError(
        "reply-syntax",
        `"${name}" answered the dialect probe in no known dialect: give --dialect`,
      );
    }
  } finally {
    wait.done();
    await socket.close();
  }
}
