import { MidgramError } from "../errors.ts";
import type { DialectName } from "../protocol/dialect.ts";
import { formatAddress, sameAddress } from "../transport/address.ts";
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

/** The probe: a JSON-RPC call of `version`, which every server either runs without side effects or refuses. */
const PROBE = new TextEncoder().encode(
  '{"jsonrpc":"2.0","method":"version","id":"midgram-probe"}',
);

/**
 * Classifies the answer to the probe: binrpc replies start with the magic
 * byte 0xA1, JSON-RPC ones with `{`, text MI ones with a 3-digit code
 * (a 2.4 server answers `500 command not available` to a first line that is
 * not `:command:`). Kamailio's `jsonrpcs` is told from OpenSIPS by its
 * `Method Not Found` (OpenSIPS: -32601, or a result).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyProbeReply } from "./detect.ts";
 * assert.equal(classifyProbeReply(new TextEncoder().encode("500 command not available\n"))?.dialect, "mi");
 * ```
 */
export function classifyProbeReply(bytes: Uint8Array): Detected | null {
  if (bytes.length > 0 && bytes[0] === 0xa1) {
    return { dialect: "binrpc", how: "it answered a JSON probe with a binrpc fault" };
  }
  const text = new TextDecoder().decode(bytes.subarray(0, 4096)).trimStart();
  if (text.startsWith("{")) {
    const kamailio = /"Method Not Found"/.test(text);
    return {
      dialect: "jsonrpc",
      flavour: kamailio ? "kamailio" : "opensips",
      how: kamailio
        ? "it answered a JSON-RPC probe as Kamailio's jsonrpcs"
        : "it answered a JSON-RPC probe as OpenSIPS 3",
    };
  }
  if (/^\d{3} /.test(text)) {
    return { dialect: "mi", how: "it answered a JSON-RPC probe in the text MI layout" };
  }
  return null;
}

/**
 * Finds the dialect a server speaks, without running anything with side
 * effects: stream sockets speak binrpc, FIFOs and HTTP speak JSON-RPC, and
 * datagram sockets are asked a JSON-RPC `version` (which a text MI or
 * binrpc server refuses unread).
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
  if (to.kind === "fifo" || to.kind === "http") {
    return { dialect: "jsonrpc", how: "FIFOs and HTTP speak JSON-RPC" };
  }
  const target = await options.transport.resolve(to);
  const socket = await options.transport.connectable(target);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort("timeout"), options.timeoutMs);
  const onAbort = () => controller.abort("aborted");
  options.signal?.addEventListener("abort", onAbort, { once: true });
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
        datagram = await socket.receive(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) throw error;
        if (controller.signal.reason === "aborted") {
          throw new MidgramError("closed", `Request to "${name}" aborted`);
        }
        throw new MidgramError(
          "timeout",
          `No answer from "${name}" to the dialect probe within ${options.timeoutMs} ms: is the server running? (--dialect skips the probe)`,
        );
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
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    await socket.close();
  }
}
