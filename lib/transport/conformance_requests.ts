/**
 * The conformance suite of the request transports (FIFO and HTTP), run
 * against every adapter with the same tests, as the datagram and stream
 * suites are: a round trip, replies matched to their requests, stop and
 * close, aborts that lose nothing, time limits, size limits, dropped bytes,
 * the connection gate. The FIFO tests run with each JSON-RPC flavour's
 * framing and with a toy framing of the tests' own, since the transport
 * must not know the dialect.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonRpcFifoFraming, jsonRpcHttp } from "../protocol/jsonrpc/carriage.ts";
import { ConnectionGate } from "./connection_gate.ts";
import { codeOf, decode, encode, rejectsWith, withTimeout } from "./_conformance_helpers.ts";
import type {
  FifoDrop,
  FifoFraming,
  HttpCarriage,
  HttpStatus,
  RequestAddress,
  RequestListener,
  RequestListenOptions,
  Transport,
} from "./types.ts";
import type { TransportSuiteOptions } from "./conformance.ts";

/**
 * A promise awaited later in a test, with a handler attached now: one that
 * rejects while the test still awaits something else is not reported as an
 * unhandled rejection (and the test's own assertion on it still sees it).
 */
function guarded<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * A framing of the tests' own: `NAME:PAYLOAD\n` a request; a line without
 * a `:` is dropped as invalid, one over 64 bytes as too large.
 */
const LINE_FRAMING: FifoFraming = {
  reader() {
    let rest = "";
    return {
      get pending() {
        return rest.length;
      },
      push(chunk) {
        rest += decode(chunk);
        const requests = [];
        const dropped: FifoDrop[] = [];
        let end;
        while ((end = rest.indexOf("\n")) >= 0) {
          const line = rest.slice(0, end);
          rest = rest.slice(end + 1);
          const colon = line.indexOf(":");
          if (line.length > 64) dropped.push({ kind: "too-large", reason: "over 64 bytes" });
          else if (colon < 0) dropped.push({ kind: "invalid", reason: "no ':'" });
          else {requests.push({
              replyName: line.slice(0, colon),
              json: encode(line.slice(colon + 1)),
            });}
        }
        return { requests, dropped };
      },
    };
  },
  request: (request, replyName) => encode(`${replyName}:${decode(request)}\n`),
  replyNameProblem: (name) => name.startsWith("bad") ? "a bad name" : null,
};

const JSON_REQUEST = '{"jsonrpc":"2.0","method":"uptime","id":1}';

/** An HTTP carriage of the tests' own: 418 and the fault's kind for a fault, else 200. */
const STATUS_HTTP: HttpCarriage = {
  contentType: "application/json",
  status: (fault) =>
    fault === null ? { code: 200, reason: "Fine" } : { code: 418, reason: `Fault ${fault.kind}` },
};

/** Registers the FIFO and HTTP conformance tests for one transport. */
export function runRequestSuite(options: TransportSuiteOptions): void {
  const { name, open } = options;
  const skip = options.skip ?? {};
  const memory = !!skip.files;
  let dir = "";
  const tempDir = () => (dir ||= mkdtempSync(join(tmpdir(), `midgram-req-${name}-`)));
  const cleanup = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = "";
  };
  let serial = 0;

  type Kind = {
    title: string;
    address: () => RequestAddress;
    listen: Partial<RequestListenOptions>;
    /** A request payload of this kind. */
    payload: string;
  };
  /** The request as the server reads it, without what a framing adds (Kamailio's `reply_name`). */
  const bare = (data: Uint8Array) => {
    const text = decode(data).trim();
    if (!text.startsWith("{")) return text;
    const { reply_name: _, ...rest } = JSON.parse(text);
    return JSON.stringify(rest);
  };
  const fifoKind = (title: string, fifo: FifoFraming, payload: string): Kind => ({
    title,
    address: () => ({
      kind: "fifo",
      path: memory ? `/memory/fifo-${++serial}` : join(tempDir(), `fifo-${++serial}`),
    }),
    listen: { fifo },
    payload,
  });
  const kinds: Kind[] = [
    fifoKind("FIFO (OpenSIPS framing)", jsonRpcFifoFraming("opensips"), JSON_REQUEST),
    fifoKind("FIFO (Kamailio framing)", jsonRpcFifoFraming("kamailio"), JSON_REQUEST),
    fifoKind("FIFO (a framing of the tests)", LINE_FRAMING, "hello 1"),
    {
      title: "HTTP",
      address: () => ({ kind: "http", url: "http://127.0.0.1:0/mi" }),
      listen: { http: jsonRpcHttp("kamailio") },
      payload: JSON_REQUEST,
    },
  ];

  for (const kind of kinds) {
    const t = (title: string, fn: (transport: Transport) => Promise<void>) =>
      test(`${name} transport: ${kind.title} ${title}`, { skip: skip.all }, async () => {
        try {
          await withTimeout(fn(open()), 10_000);
        } finally {
          cleanup();
        }
      });
    /** A test with a listener of this kind, closed after it. */
    const served = (
      title: string,
      fn: (transport: Transport, listener: RequestListener) => Promise<void>,
    ) =>
      t(title, async (transport) => {
        const listener = await transport.listenRequests(kind.address(), listenOptions());
        try {
          await fn(transport, listener);
        } finally {
          await listener.close();
        }
      });
    const listenOptions = (): RequestListenOptions => ({
      ...kind.listen,
      replyDir: memory ? "/tmp" : tempDir(),
    });
    const exchangeOptions = (timeoutMs = 3000) => ({
      ...kind.listen,
      replyDir: memory ? "/tmp" : tempDir(),
      timeoutMs,
    });

    served(
      "round trip: the request arrives without its framing, the reply comes back whole",
      async (transport, listener) => {
        const reply = guarded(transport.exchange(
          listener.address,
          encode(kind.payload),
          exchangeOptions(),
        ));
        const request = await listener.next();
        assert.equal(bare(request.data), kind.payload);
        assert.equal(request.unanswerable, null);
        if (kind.title === "HTTP") assert.equal(request.from?.kind, "tcp");
        const answer = encode('{"jsonrpc":"2.0","result":"ünï","id":1}');
        await request.respond(answer);
        assert.deepEqual(await reply, answer);
      },
    );

    served("answers reach their own clients whatever the order", async (transport, listener) => {
      const payloads = [1, 2, 3].map((id) => kind.payload.replace("1", String(id)));
      const replies = payloads.map((p) =>
        guarded(transport.exchange(listener.address, encode(p), exchangeOptions()))
      );
      const requests = [];
      for (let i = 0; i < payloads.length; i++) requests.push(await listener.next());
      for (const request of requests.reverse()) {
        await request.respond(encode(`reply to ${bare(request.data)}`));
      }
      assert.deepEqual(
        (await Promise.all(replies)).map(decode),
        payloads.map((p) => `reply to ${p}`),
      );
    });

    t(
      "an aborted next() loses nothing; stop() rejects a pending next() with closed",
      async (transport) => {
        const listener = await transport.listenRequests(kind.address(), listenOptions());
        try {
          const abort = new AbortController();
          const first = listener.next(abort.signal);
          abort.abort(new Error("stop waiting"));
          await assert.rejects(first, /stop waiting/);
          const reply = guarded(transport.exchange(
            listener.address,
            encode(kind.payload),
            exchangeOptions(),
          ));
          const request = await listener.next();
          await request.respond(encode("late"));
          assert.equal(decode(await reply), "late");
          const pending = rejectsWith(listener.next(), ["closed"]);
          await listener.stop();
          await pending;
          await rejectsWith(listener.next(), ["closed"]);
        } finally {
          await listener.close();
          await listener.close();
        }
      },
    );

    served("a request answered after stop() still gets its reply", async (transport, listener) => {
      const reply = guarded(
        transport.exchange(listener.address, encode(kind.payload), exchangeOptions()),
      );
      const request = await listener.next();
      await listener.stop();
      await request.respond(encode("after stop"));
      assert.equal(decode(await reply), "after stop");
    });

    t("nobody serving: the exchange is refused, naming the address", async (transport) => {
      const listener = await transport.listenRequests(kind.address(), listenOptions());
      const address = listener.address;
      await listener.close();
      const error = await rejectsWith(
        transport.exchange(address, encode(kind.payload), exchangeOptions()),
        ["not-found", "connection-refused"],
      );
      assert.match(error.message, new RegExp(address.kind === "fifo" ? "fifo:" : "http://"));
    });

    served(
      "a server that never answers: the exchange times out; answering later does not throw",
      async (transport, listener) => {
        const reply = guarded(transport.exchange(
          listener.address,
          encode(kind.payload),
          exchangeOptions(150),
        ));
        const request = await listener.next();
        await rejectsWith(reply, ["timeout"]);
        await request.respond(encode("too late")).catch((error) => {
          assert.notEqual(codeOf(error).slice(0, 4), "not ", String(error));
        });
      },
    );

    served("an aborted exchange rejects with the signal's reason", async (transport, listener) => {
      const abort = new AbortController();
      const reply = guarded(transport.exchange(listener.address, encode(kind.payload), {
        ...exchangeOptions(),
        signal: abort.signal,
      }));
      const request = await listener.next();
      abort.abort("by the caller");
      await assert.rejects(reply, (reason) => reason === "by the caller");
      await request.respond(encode("x")).catch(() => {});
    });

    served("a reply over the client's limit is refused", async (transport, listener) => {
      const reply = guarded(transport.exchange(listener.address, encode(kind.payload), {
        ...exchangeOptions(),
        maxReply: 100,
      }));
      const request = await listener.next();
      await request.respond(new Uint8Array(1000).fill(0x61)).catch(() => {});
      await rejectsWith(reply, ["reply-too-large"]);
    });

    if (kind.title === "HTTP") {
      t("the gate refuses a peer before its request is read", async (transport) => {
        const refused: string[] = [];
        const gate = new ConnectionGate({
          admits: () => false,
          onRefused: (cause) => refused.push(cause),
        });
        const listener = await transport.listenRequests(kind.address(), {
          ...listenOptions(),
          gate,
        });
        try {
          await rejectsWith(
            transport.exchange(listener.address, encode(kind.payload), exchangeOptions()),
            ["transport", "closed", "connection-refused"],
          );
          assert.deepEqual(refused, ["denied"]);
          assert.equal(gate.open, 0);
        } finally {
          await listener.close();
        }
      });
      t("no reply is an empty body, status 204", async (transport) => {
        const listener = await transport.listenRequests(kind.address(), listenOptions());
        try {
          const statuses: HttpStatus[] = [];
          const reply = guarded(transport.exchange(listener.address, encode(kind.payload), {
            ...exchangeOptions(),
            onStatus: (status) => statuses.push(status),
          }));
          await (await listener.next()).respond(null);
          assert.equal((await reply).length, 0);
          assert.deepEqual(statuses.map((s) => s.code), [204]);
        } finally {
          await listener.close();
        }
      });
      t(
        "the status line is the carriage's for the fault the reply carries, not read from its bytes",
        async (transport) => {
          const listener = await transport.listenRequests(kind.address(), {
            ...listenOptions(),
            http: STATUS_HTTP,
          });
          try {
            const statuses: HttpStatus[] = [];
            const ask = () =>
              guarded(transport.exchange(listener.address, encode(kind.payload), {
                ...exchangeOptions(),
                http: STATUS_HTTP,
                onStatus: (status) => statuses.push(status),
              }));
            // The same bytes each time: only the fault given to respond() differs.
            const body = encode('{"jsonrpc":"2.0","error":{"code":500},"id":1}');
            const faulty = ask();
            await (await listener.next()).respond(body, { fault: { kind: "busy" } });
            assert.deepEqual(await faulty, body);
            const fine = ask();
            await (await listener.next()).respond(body);
            assert.deepEqual(await fine, body);
            assert.deepEqual(statuses, [
              { code: 418, reason: "Fault busy" },
              { code: 200, reason: "Fine" },
            ]);
          } finally {
            await listener.close();
          }
        },
      );
    } else {
      t("a second listener on a served FIFO is address-in-use", async (transport) => {
        const listener = await transport.listenRequests(kind.address(), listenOptions());
        try {
          await rejectsWith(
            transport.listenRequests(listener.address, listenOptions()),
            ["address-in-use"],
          );
        } finally {
          await listener.close();
        }
      });
      t(
        "a FIFO listener without the dialect's framing is refused and leaves its path free",
        async (transport) => {
          const address = kind.address();
          await assert.rejects(
            transport.listenRequests(address, { ...listenOptions(), fifo: undefined }),
            TypeError,
          );
          const listener = await transport.listenRequests(address, listenOptions());
          await listener.close();
        },
      );
    }
  }

  test(
    `${name} transport: FIFO bytes that make no request are dropped and reported; the next request is answered`,
    {
      skip: skip.all,
    },
    async () => {
      const transport = open();
      const drops: FifoDrop[] = [];
      const framing: FifoFraming = {
        ...LINE_FRAMING,
        // The client writes two bad lines before its request.
        request: (request, replyName) =>
          encode(`no colon\n${"x".repeat(80)}\n${replyName}:${decode(request)}\n`),
      };
      const address: RequestAddress = {
        kind: "fifo",
        path: memory ? "/memory/drops" : join(tempDir(), "drops"),
      };
      try {
        const listener = await transport.listenRequests(address, {
          fifo: LINE_FRAMING,
          replyDir: memory ? "/tmp" : tempDir(),
          onDrop: (drop) => drops.push(drop),
        });
        try {
          const reply = guarded(transport.exchange(listener.address, encode("probe"), {
            fifo: framing,
            replyDir: memory ? "/tmp" : tempDir(),
            timeoutMs: 3000,
          }));
          const request = await withTimeout(listener.next());
          assert.equal(decode(request.data), "probe");
          await request.respond(encode("ok"));
          assert.equal(decode(await reply), "ok");
          assert.deepEqual(drops.map((d) => d.kind), ["invalid", "too-large"]);
        } finally {
          await listener.close();
        }
      } finally {
        cleanup();
      }
    },
  );
}
