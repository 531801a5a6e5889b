/**
 * Live fuzzing of a JSON-RPC or binrpc server (midgram, OpenSIPS, Kamailio)
 * over UNIX datagram, UDP, and (binrpc) UNIX stream or TCP, through the
 * client's `openSession`. Replies are read with the client codec (malformed
 * = finding); a request that our own server codec says gets no reply is
 * only waited for briefly; a side-effect-free probe (`version`,
 * `core.version`) tells a crash from a slow server. Always bounded by a count
 * and a time; never sends what the transport cannot carry (over a stream,
 * only whole packets).
 *
 * @module
 */
import fc from "fast-check";
import { openSession, type Session } from "../client/call.ts";
import { errorCodeOf } from "../errors.ts";
import type { ClientCodec } from "../protocol/dialect.ts";
import { clientCodec, serverCodec } from "../protocol/dialects.ts";
import { peerOf } from "../protocol/peer.ts";
import type { AnyAddress, Transport } from "../transport/types.ts";
import { maxDatagram } from "./live.ts";
import { binRpcInput, jsonRpcInput } from "./rpc_inputs.ts";
import { ctlFifoInput } from "./ctlfifo_inputs.ts";
import { readAnyReply, type RpcDialect } from "./rpc_invariants.ts";
import { CTLFIFO_FIFO } from "../protocol/ctlfifo/carriage.ts";
import { ctlFifoReplyName } from "../protocol/ctlfifo/read_request.ts";
import { firstProbe, PROBE_BACKOFF_MS, probeMiss, probeWithBackoff } from "./_liveness.ts";

/** A dialect live fuzzing speaks: a structured one, or ctl's FIFO protocol. */
export interface LiveDialect extends Omit<RpcDialect, "dialect"> {
  dialect: RpcDialect["dialect"] | "ctlfifo";
}

/** Options of {@linkcode runLiveRpc}. */
export interface LiveRpcOptions extends LiveDialect {
  target: AnyAddress;
  transport: Transport;
  runs: number;
  timeMs: number;
  timeoutMs: number;
  /** How long to wait for a reply that our server codec says never comes; default 100 ms. */
  quietMs?: number;
  /** Requests per second at most (0: as fast as replies come). */
  rate?: number;
  /** Probe after this many inputs (and after every hang); default 50. */
  probeEvery?: number;
  probeBackoffMs?: readonly number[];
  seed: number;
  corpus?: Uint8Array[];
  /** Never generate what crashes Kamailio 5.6 (a non-string `jsonrpc` or `method`). */
  safeForKamailio?: boolean;
  /** FIFO targets: the server's reply directory (default /tmp). */
  replyDir?: string;
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

/** What a live run found. */
export interface LiveRpcResult {
  executed: number;
  seconds: number;
  answered: number;
  /** Replies that did not come though our codec says one would. */
  hangs: Uint8Array[];
  malformed: { input: Uint8Array; reply: Uint8Array; why: string }[];
  /**
   * Stream only: the server closed the connection instead of answering (as
   * Kamailio's ctl does on some bad packets). Reported, not a failure.
   */
  closed: Uint8Array[];
  crash: { inputs: Uint8Array[]; why: string; kind: "gone" | "unresponsive" } | null;
  /** Inputs not sent: too large for a datagram, or not one whole packet for a stream. */
  notSent: { tooLarge: number; notWhole: number };
  interrupted: boolean;
}

/** The probe of a dialect: a method that every such server runs without side effects. */
export function probeMethod(d: LiveDialect): string {
  return peerOf(d.dialect, d.flavour).methods.version;
}

/**
 * A client codec that reads a reply whatever id or cookie it answers (raw
 * request bytes carry their own), so the session's reader accepts it.
 */
function anyTokenCodec(inner: ClientCodec): ClientCodec {
  return {
    dialect: inner.dialect,
    maxRequest: inner.maxRequest,
    newToken: () => inner.newToken(),
    encodeRequest: (m, p, t) => inner.encodeRequest(m, p, t),
    decodeReply: (bytes, token) => {
      const own = inner.decodeReply(bytes, token);
      return own.kind === "foreign" ? readAnyReply(inner, bytes) : own;
    },
    frame: inner.frame ? (b, max) => inner.frame!(b, max) : undefined,
    fifo: inner.fifo,
    http: inner.http,
    replyEndsAtClose: inner.replyEndsAtClose,
  };
}

/**
 * Runs a bounded live fuzzing session against a JSON-RPC or binrpc server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runLiveRpc } from "./live_rpc.ts";
 * import { createServerWith } from "../server/mod.ts";
 * import { createMemoryTransport } from "../transport/memory.ts";
 * const transport = createMemoryTransport();
 * const server = createServerWith({ transport });
 * const target = await server.listen({ kind: "unix-stream", path: "/ctl.sock" }, { dialect: "binrpc" });
 * const result = await runLiveRpc({
 *   dialect: "binrpc", target, transport, runs: 50, timeMs: 5000, timeoutMs: 1000, seed: 1,
 * });
 * assert.equal(result.crash, null);
 * await server.close();
 * ```
 */
export async function runLiveRpc(options: LiveRpcOptions): Promise<LiveRpcResult> {
  const d: LiveDialect = { dialect: options.dialect, flavour: options.flavour };
  const started = performance.now();
  const deadline = started + options.timeMs;
  const result: LiveRpcResult = {
    executed: 0,
    seconds: 0,
    answered: 0,
    hangs: [],
    malformed: [],
    closed: [],
    crash: null,
    notSent: { tooLarge: 0, notWhole: 0 },
    interrupted: false,
  };
  const codec = anyTokenCodec(clientCodec(d.dialect));
  const ours = serverCodec(d.dialect, { flavour: d.flavour });
  const stream = options.target.kind === "unix-stream" || options.target.kind === "tcp";
  const carries = options.target.kind === "udp" || options.target.kind === "unix"
    ? maxDatagram(options.target)
    : Infinity;
  const open = (timeoutMs: number): Session =>
    openSession(options.target, {
      transport: options.transport,
      codec,
      timeoutMs,
      allowOversize: true,
      flavour: d.flavour,
      replyDir: options.replyDir,
    });
  const probeOnce = async (): Promise<{ why: string; gone: boolean } | null> => {
    const session = open(options.timeoutMs);
    try {
      const reply = await session.call({
        method: probeMethod(d),
        params: { kind: "positional", values: [] },
      });
      return reply.outcome === null
        ? { why: `unreadable probe reply: ${reply.error?.message}`, gone: false }
        : null;
    } catch (error) {
      return probeMiss(error);
    } finally {
      await session.close();
    }
  };
  const backoff = options.probeBackoffMs ?? PROBE_BACKOFF_MS;
  const alive = () => probeWithBackoff(probeOnce, backoff, options.signal);
  await firstProbe(probeOnce);
  const arbitrary = d.dialect === "ctlfifo"
    ? ctlFifoInput(options.corpus)
    : d.dialect === "binrpc"
    ? binRpcInput(options.corpus)
    : jsonRpcInput(options.corpus, { safeForKamailio: options.safeForKamailio });
  const probeEvery = options.probeEvery ?? 50;
  let sinceProbe: Uint8Array[] = [];
  let session: Session | null = null;
  let batch = 0;
  try {
    outer:
    while (result.executed < options.runs) {
      const inputs = fc.sample(arbitrary, { numRuns: 100, seed: options.seed + batch++ });
      for (const input of inputs) {
        if (result.executed >= options.runs || performance.now() > deadline) break outer;
        if (options.signal?.aborted) {
          result.interrupted = true;
          break outer;
        }
        if (input.length === 0) continue; // an empty datagram is never answered, by design
        if (input.length > carries) {
          result.notSent.tooLarge++;
          continue;
        }
        if (
          (stream || (options.target.kind === "fifo" && ours.frame)) &&
          !wholePacket(ours.frame!.bind(ours), input)
        ) {
          // On a stream (and a FIFO, one byte stream for every client), anything but one
          // whole packet would stall or desynchronise what comes next.
          result.notSent.notWhole++;
          continue;
        }
        const decoded = ours.decode(input, () => ({ noInput: false }));
        // Over a FIFO, ctl's FIFO protocol answers only a request naming its reply FIFO.
        const named = options.target.kind !== "fifo" || ours.dialect !== "ctlfifo" ||
          ctlFifoReplyName(CTLFIFO_FIFO.request(input, "midgram")) !== null;
        const expectReply = named &&
          (decoded.kind === "call" ? !decoded.call.notification : decoded.reply !== null);
        result.executed++;
        sinceProbe.push(input);
        let suspect = false;
        const timeoutMs = expectReply ? options.timeoutMs : (options.quietMs ?? 100);
        // Datagrams: one session per request (a late reply never meets the next request).
        session = stream && session !== null ? session : open(timeoutMs);
        try {
          const reply = await session.call(input);
          result.answered++;
          if (reply.error) {
            result.malformed.push({ input, reply: reply.bytes, why: reply.error.message });
          }
        } catch (error) {
          const code = errorCodeOf(error);
          if (code === "timeout") {
            if (expectReply) {
              result.hangs.push(input);
              suspect = true;
            }
          } else if (/EMSGSIZE|too (large|long)/i.test(String(error))) {
            result.executed--;
            sinceProbe.pop();
            result.notSent.tooLarge++;
          } else if (stream && code === "truncated-reply") {
            result.closed.push(input);
            suspect = true;
          } else if (code === "reply-syntax" || code === "truncated-reply") {
            result.malformed.push({ input, reply: new Uint8Array(), why: String(error) });
            suspect = true;
          } else {
            suspect = true;
          }
        } finally {
          if (!stream || suspect) {
            await session.close();
            session = null;
          }
        }
        if (suspect || sinceProbe.length >= probeEvery) {
          const down = await alive();
          if (down !== null) {
            result.crash = { ...down, inputs: sinceProbe };
            break outer;
          }
          sinceProbe = [];
        }
        options.onProgress?.(result.executed);
        if (options.rate) {
          const wait = 1000 / options.rate;
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    }
  } finally {
    await (session as Session | null)?.close();
  }
  if (result.crash === null && !result.interrupted && sinceProbe.length > 0) {
    const down = await alive();
    if (down !== null) result.crash = { ...down, inputs: sinceProbe };
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** The input is exactly one whole packet by the dialect's framing. */
function wholePacket(frame: (b: Uint8Array) => number, input: Uint8Array): boolean {
  try {
    return frame(input) === input.length;
  } catch {
    return false;
  }
}
