/**
 * Deliberately broken fixtures, used only by the fuzzer's own tests to prove
 * that it finds, shrinks and saves real bugs.
 *
 * @module
 */
import {
  type AnalyzeOptions,
  analyzeRequest,
  type RequestAnalysis,
} from "../../protocol/mi/analyze_request.ts";
import type { Address, Datagram, DatagramSocket, Transport } from "../../transport/types.ts";
import { realServerCodec, type ServerCodecFactory } from "../rpc_invariants.ts";

/**
 * A parser with a planted bug: it unescapes `\\` to `\` inside values (the
 * real parser keeps every backslash that does not precede a quote), so a
 * value with two backslashes in a row does not survive a round trip.
 */
export function brokenAnalyzer(input: Uint8Array, options?: AnalyzeOptions): RequestAnalysis {
  const analysis = analyzeRequest(input, options);
  if (!analysis.request) return analysis;
  return {
    ...analysis,
    request: {
      command: analysis.request.command,
      args: analysis.request.args.map((a) => ({
        name: a.name,
        value: a.value === null ? null : a.value.replaceAll("\\\\", "\\"),
      })),
    },
  };
}

/**
 * Hands each datagram `socket` receives to `serve`, one after another,
 * until the socket is closed (by its owner, or by `serve`).
 */
export async function serveEach(
  socket: DatagramSocket,
  serve: (datagram: Datagram) => unknown,
): Promise<void> {
  while (true) {
    let datagram;
    try {
      datagram = await socket.receive();
    } catch {
      return;
    }
    await serve(datagram);
  }
}

/**
 * A fragile server: answers `200 OK\n\n` to everything, except that a request
 * holding a NUL byte gets no reply (a hang), one holding `""` gets a
 * malformed reply, and the fifth request over 60000 bytes makes it stop
 * serving (a crash, as from a leak that large requests exhaust).
 */
export async function startFragileServer(transport: Transport, address: Address): Promise<{
  address: Address;
  close: () => Promise<void>;
}> {
  const socket = await transport.bind(address);
  const enc = new TextEncoder();
  const has = (data: Uint8Array, text: string) =>
    new TextDecoder("latin1").decode(data).includes(text);
  let large = 0;
  void serveEach(socket, async ({ data, from }) => {
    if (!from || data.length === 0) return;
    if (data.length > 60000 && ++large >= 5) {
      await socket.close();
      return;
    }
    if (data.includes(0)) return;
    const reply = has(data, '""') ? enc.encode("OK then\n") : enc.encode("200 OK\n\n");
    await socket.send(reply, from).catch(() => {});
  });
  return { address: socket.address, close: () => socket.close() };
}

/**
 * Server codecs with planted bugs: binrpc drops the last parameter of a call
 * with three or more (a miscounted loop), JSON-RPC throws on a numeric id
 * beyond 32 bits (a naive integer conversion) instead of answering.
 */
export const brokenServerCodec: ServerCodecFactory = (d) => {
  const real = realServerCodec(d);
  return {
    ...real,
    frame: real.frame?.bind(real),
    encodeResult: real.encodeResult.bind(real),
    encodeFault: real.encodeFault.bind(real),
    decode(bytes, lookup) {
      const decoded = real.decode(bytes, lookup);
      if (decoded.kind !== "call") return decoded;
      if (d.dialect === "jsonrpc") {
        const id = /"id"\s*:\s*(-?\d+)/.exec(new TextDecoder().decode(bytes))?.[1];
        if (id !== undefined && Math.abs(Number(id)) > 2 ** 31) {
          throw new RangeError(`id ${id} out of range`);
        }
        return decoded;
      }
      const { params } = decoded.call;
      if (params.kind !== "positional" || params.values.length < 3) return decoded;
      return {
        kind: "call",
        call: {
          ...decoded.call,
          params: { kind: "positional", values: params.values.slice(0, -1) },
        },
      };
    },
  };
};
