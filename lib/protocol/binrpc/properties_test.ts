import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Double, Members, type Value } from "../value.ts";
import { readRecords } from "./read_records.ts";
import { writeRecords } from "./write_records.ts";
import { readPacket } from "./read_packet.ts";
import { writePacket } from "./write_packet.ts";
import { frame } from "./frame.ts";
import { BinRpcSyntaxError } from "./binrpc_syntax_error.ts";
import { createBinRpcServerCodec } from "./create_binrpc_server_codec.ts";
import { createBinRpcClientCodec } from "./create_binrpc_client_codec.ts";
import { formatKamcmd } from "./format_kamcmd.ts";
import { MidgramError } from "../../errors.ts";

const RUNS = { numRuns: 1000 };

// Values as binrpc carries them: 32-bit ints, doubles with 3 decimals, text
// without lone surrogates, bytes, structs (Members) and non-empty arrays
// (an empty array is written as ctl writes it, an empty struct).
const scalar: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: -2147483648, max: 2147483647 }),
  // (a double is sent as trunc(x×1000): only those that survive it come back equal)
  fc.integer({ min: -(2 ** 50), max: 2 ** 50 }).filter((n) => Math.trunc((n / 1000) * 1000) === n)
    .map((n) => new Double(n / 1000)),
  fc.string({ unit: "grapheme" }),
  fc.uint8Array({ maxLength: 20 }),
);
const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.array(tie("value"), { minLength: 1, maxLength: 4 }),
    fc.array(
      fc.tuple(fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\0")), tie("value")),
      {
        maxLength: 4,
      },
    ).map((e) => new Members(e)),
  ),
}));

test("readRecords() reads back what writeRecords() wrote", () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 5 }), (values) => {
      assert.deepEqual(readRecords(writeRecords(values)), values);
    }),
    RUNS,
  );
});

test("readPacket() reads back what writePacket() wrote", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("request", "reply", "fault") as fc.Arbitrary<"request" | "reply" | "fault">,
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ maxLength: 300 }),
      (type, cookie, body) => {
        const bytes = writePacket({ type, cookie, body });
        const p = readPacket(bytes);
        assert.deepEqual({ ...p }, { type, cookie, body, length: bytes.length });
        assert.equal(frame(bytes), bytes.length);
      },
    ),
    RUNS,
  );
});

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  // mostly valid bodies with a byte changed or cut
  fc.tuple(fc.array(value, { maxLength: 3 }), fc.nat(), fc.nat(255), fc.nat()).map(
    ([values, at, byte, cut]) => {
      const b = writeRecords(values).slice();
      if (b.length > 0) b[at % b.length] = byte;
      return b.subarray(0, b.length - (cut % 3));
    },
  ),
);

test("readRecords() and formatKamcmd() throw nothing but BinRpcSyntaxError, for any bytes", () => {
  fc.assert(
    fc.property(anyBytes, fc.boolean(), (bytes, lenient) => {
      for (const run of [() => readRecords(bytes, { lenient }), () => formatKamcmd(bytes)]) {
        try {
          run();
        } catch (e) {
          if (!(e instanceof BinRpcSyntaxError)) throw e;
        }
      }
    }),
    RUNS,
  );
});

test("the server codec never throws in decode(), and the client codec throws only MidgramError", () => {
  const server = createBinRpcServerCodec();
  const client = createBinRpcClientCodec();
  fc.assert(
    fc.property(anyBytes, fc.boolean(), (body, asPacket) => {
      const bytes = asPacket ? writePacket({ type: "reply", cookie: 5, body }) : body;
      server.decode(bytes, () => ({ noInput: false }));
      try {
        client.decodeReply(bytes, 5);
      } catch (e) {
        if (!(e instanceof MidgramError)) throw e;
        assert.ok(e.code === "reply-syntax" || e.code === "truncated-reply");
      }
      try {
        frame(bytes);
      } catch (e) {
        if (!(e instanceof BinRpcSyntaxError)) throw e;
      }
    }),
    RUNS,
  );
});
