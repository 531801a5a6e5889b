import { MidgramError } from "../errors.ts";
import { formatRequest } from "../protocol/mi/format_request.ts";
import { MAX_DATAGRAM_SIZE } from "../protocol/mi/limits.ts";
import { parseReply } from "../protocol/mi/parse_reply.ts";
import type { MiArgument, MiReply } from "../protocol/mi/types.ts";
import { formatAddress, sameAddress } from "../transport/address.ts";
import { defaultTransport } from "../transport/open.ts";
import { resolveAddress } from "../transport/resolve_address.ts";
import type { Address, Transport } from "../transport/types.ts";

/** Options of {@linkcode sendRequest}. */
export interface RequestOptions {
  /** Default: the transport of the runtime. */
  transport?: Transport;
  /** How long to wait for the reply, per attempt; default 5000 ms. */
  timeoutMs?: number;
  /** UDP only: extra attempts after a timeout; default 0. */
  retries?: number;
  /** Gives up with a `closed` error when aborted. */
  signal?: AbortSignal;
  /** The server's reply indent string, to read the tree; default TAB. */
  indent?: string;
  /** Send requests over the size limit too (the fuzzer tests how servers take them). */
  allowOversize?: boolean;
}

/** A reply as received. */
export interface ClientReply {
  /** The reply's bytes, exactly as they came. */
  bytes: Uint8Array;
  /** The bytes decoded as UTF-8. */
  text: string;
  /** The reply tree, when it could be read. */
  reply: MiReply | null;
  /** Why the reply could not be read: `truncated-reply` or `reply-syntax`. */
  error: MidgramError | null;
  /** Round-trip time in milliseconds. */
  rttMs: number;
  /** Where the reply came from (`null`: an unnamed UNIX socket, as the real servers reply). */
  from: Address | null;
}

/**
 * Sends one request and waits for its reply. Every request uses a fresh
 * client socket (closed on every path), so a late reply to an earlier
 * request can never be taken for the answer to this one; over UDP, datagrams
 * from any other address than the server's are ignored.
 *
 * @example
 * ```ts
 * import { sendRequest } from "./request.ts";
 * const { reply } = await sendRequest(
 *   { kind: "unix", path: "/run/opensips/mi.sock" },
 *   { command: "get_statistics", args: [{ name: null, value: "all" }] },
 *   { timeoutMs: 2000 },
 * );
 * ```
 *
 * @throws {MidgramError} `timeout` when no reply comes in time; the transport's codes
 *   (`not-found`, `permission-denied`, `connection-refused`, …) when it cannot send;
 *   `request-too-large`, `unrepresentable`; `closed` when aborted.
 */
export async function sendRequest(
  to: Address,
  request: Uint8Array | { command: string; args: MiArgument[] },
  options: RequestOptions = {},
): Promise<ClientReply> {
  const bytes = request instanceof Uint8Array
    ? request
    : new TextEncoder().encode(formatRequest(request.command, request.args));
  if (bytes.length > MAX_DATAGRAM_SIZE && !options.allowOversize) {
    throw new MidgramError(
      "request-too-large",
      `Cannot send a request of ${bytes.length} bytes: the limit is ${MAX_DATAGRAM_SIZE}`,
    );
  }
  const transport = options.transport ?? defaultTransport();
  const timeoutMs = options.timeoutMs ?? 5000;
  const attempts = 1 + (to.kind === "udp" ? Math.max(0, options.retries ?? 0) : 0);
  const target = await resolveAddress(to);
  const name = formatAddress(to);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) throw new MidgramError("closed", `Request to "${name}" aborted`);
    const socket = await transport.connectable(target);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort("timeout"), timeoutMs);
    const onAbort = () => controller.abort("aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const started = performance.now();
      await socket.send(bytes, target, { timeoutMs });
      while (true) {
        let datagram;
        try {
          datagram = await socket.receive(controller.signal);
        } catch (error) {
          if (controller.signal.aborted) break;
          throw error;
        }
        // Over UDP only the server's own address may answer.
        if (
          target.kind === "udp" && (datagram.from === null || !sameAddress(datagram.from, target))
        ) continue;
        const rttMs = performance.now() - started;
        const text = new TextDecoder().decode(datagram.data);
        let reply: MiReply | null = null;
        let error: MidgramError | null = null;
        try {
          reply = parseReply(datagram.data, { indent: options.indent });
          if (datagram.data.length >= MAX_DATAGRAM_SIZE) {
            error = new MidgramError(
              "truncated-reply",
              `Reply from "${name}" fills the ${MAX_DATAGRAM_SIZE}-byte limit: it was probably cut`,
            );
          }
        } catch (e) {
          error = e instanceof MidgramError
            ? new MidgramError(e.code, `Reply from "${name}": ${e.message}`)
            : new MidgramError("reply-syntax", `Reply from "${name}" cannot be read`);
        }
        return { bytes: datagram.data, text, reply, error, rttMs, from: datagram.from };
      }
      if (controller.signal.reason === "aborted") {
        throw new MidgramError("closed", `Request to "${name}" aborted`);
      }
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      await socket.close();
    }
  }
  const tries = attempts > 1 ? ` (${attempts} attempts)` : "";
  throw new MidgramError(
    "timeout",
    `No reply from "${name}" within ${timeoutMs} ms${tries}: is the server running and is the address right?`,
  );
}
