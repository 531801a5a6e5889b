import { test } from "node:test";
import assert from "node:assert/strict";
import { caseNames, parseHex, readText, testdata } from "./testing/hex.ts";
import { createBinRpcServerCodec } from "./create_binrpc_server_codec.ts";
import type { Fault } from "../dialect.ts";
import type { Value } from "../value.ts";
import { defaultTransport } from "../../transport/open.ts";

const dir = testdata("server");

type Handler = (params: readonly Value[]) => Value | Fault;
const typeFault = (n: number, expected: string): Fault => ({
  kind: "invalid-params",
  detail: `error at parameter ${n}: expected ${expected} type but record doesn't match type`,
});

/** The few Kamailio methods the golden cases call, as they answer. */
const REGISTRY: Record<string, Handler> = {
  "core.version": () => "kamailio 5.6.3 (x86_64/linux) ",
  "core.printi": ([i]) =>
    i === undefined
      ? null
      : typeof i === "number" && Number.isInteger(i)
      ? i
      : typeFault(0, "integer"),
  "core.prints": ([s]) =>
    s === undefined ? null : typeof s === "string" ? s : typeFault(0, "string"),
  "core.echo": (params) => {
    for (const p of params) if (p instanceof Uint8Array) return typeFault(0, "bytes array");
    return params.filter((p) => typeof p === "string");
  },
  "cfg.seti": (params) => {
    for (let n = 0; n < 2; n++) if (typeof params[n] !== "string") return typeFault(n, "string");
    return typeof params[2] === "number" ? null : typeFault(2, "integer");
  },
  "system.methodHelp": ([m]) =>
    typeof m === "string" && m in REGISTRY
      ? ""
      : { kind: "command", code: 400, message: "command not found" },
};

function isFault(v: Value | Fault): v is Fault {
  return typeof v === "object" && v !== null && "kind" in v;
}

/** What the codec answers to one datagram, with the registry above. */
function answer(request: Uint8Array): Uint8Array | null {
  const codec = createBinRpcServerCodec();
  const decoded = codec.decode(
    request,
    (m) => m in REGISTRY ? { noInput: false } : undefined,
  );
  if (decoded.kind === "answer") return decoded.reply;
  const { call } = decoded;
  const result = REGISTRY[call.method](call.params.values as Value[]);
  return isFault(result) ? codec.encodeFault(call, result) : codec.encodeResult(call, result);
}

const cases = caseNames(dir, ".req.hex").map((name) => ({
  name,
  request: parseHex(readText(`${dir}${name}.req.hex`)!),
  reply: parseHex(readText(`${dir}${name}.reply.hex`)!),
}));

for (const { name, request, reply } of cases) {
  test(`createBinRpcServerCodec() answers "${name}" as Kamailio's ctl did`, () => {
    const got = answer(request);
    assert.deepEqual(got ?? new Uint8Array(0), reply);
  });
}

const rundir = process.env.MIDGRAM_KAMAILIO_RUNDIR;
test(
  "the golden server cases still match a real Kamailio (ctld.sock)",
  { skip: rundir ? false : "MIDGRAM_KAMAILIO_RUNDIR is not set (run a Kamailio with ctl)" },
  async () => {
    const peer = { kind: "unix" as const, path: `${rundir}/ctld.sock` };
    for (const { name, request, reply } of cases) {
      if (request.length === 0) continue; // an empty datagram cannot be told from none
      // one socket per case: a receive given up on stays pending in some runtimes
      const socket = await defaultTransport().connectable(peer);
      try {
        await socket.send(request, peer, { timeoutMs: 2000 });
        // no reply expected: wait a little for none to come
        const got = await socket.receive(AbortSignal.timeout(reply.length === 0 ? 300 : 2000))
          .then((d) => d.data, () => new Uint8Array(0));
        assert.deepEqual(got, reply, `case "${name}"`);
      } finally {
        await socket.close();
      }
    }
  },
);
