import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MidgramError } from "../../errors.ts";
import { Members, type Value } from "../value.ts";
import { createCtlFifoClientCodec } from "./create_ctlfifo_client_codec.ts";
import { createCtlFifoServerCodec } from "./create_ctlfifo_server_codec.ts";
import { frameCtlFifo } from "./frame.ts";
import { analyzeCtlFifoRequest } from "./analyze_request.ts";
import { readCtlFifoReply, readCtlFifoStruct } from "./read_reply.ts";
import { writeCtlFifoReply } from "./write_reply.ts";
import { ctlFifoInput } from "../../fuzz/ctlfifo_inputs.ts";

const RUNS = { numRuns: 1000 };
const anyBytes = fc.oneof(ctlFifoInput(), fc.uint8Array({ maxLength: 64 }));

test("the ctlfifo server codec reads any bytes without throwing; the framing too, or its own error", () => {
  const server = createCtlFifoServerCodec();
  fc.assert(
    fc.property(anyBytes, (bytes) => {
      const decoded = server.decode(
        bytes,
        (m) => m === "core.version" ? { noInput: false } : undefined,
      );
      assert.ok(decoded.kind === "call" || decoded.kind === "answer");
      server.fifo?.reader("/tmp").push(bytes);
      analyzeCtlFifoRequest(bytes);
      try {
        const n = frameCtlFifo(bytes);
        assert.ok(n >= 0 && n <= bytes.length);
      } catch (e) {
        assert.ok(e instanceof MidgramError);
      }
    }),
    RUNS,
  );
});

test("readCtlFifoReply() reads any bytes or throws its own error", () => {
  const client = createCtlFifoClientCodec();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        readCtlFifoReply(bytes);
        client.decodeReply(bytes, undefined);
      } catch (e) {
        assert.ok(e instanceof MidgramError, String(e));
      }
    }),
    RUNS,
  );
});

const text = fc.string({ unit: "grapheme", maxLength: 12 });

test("a reply written by the server codec reads back: one line per value, a struct's members reversed", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(text, fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 3 })), {
        maxLength: 6,
      }),
      (items) => {
        const values: Value[] = items.map((i) => typeof i === "string" ? i : new Members(i));
        const reply = readCtlFifoReply(writeCtlFifoReply(200, "OK", values)!);
        assert.equal(reply.lines.length, values.length);
        items.forEach((item, n) => {
          if (typeof item !== "string") {
            assert.deepEqual(readCtlFifoStruct(reply.lines[n])?.entries, [...item].reverse());
          } else assert.ok(!reply.lines[n].includes("\n"));
        });
      },
    ),
    RUNS,
  );
});

test("a request written by the client codec is read back with its method and parameters", () => {
  const client = createCtlFifoClientCodec();
  const server = createCtlFifoServerCodec();
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z][a-z0-9_.]{1,15}$/),
      fc.array(text.filter((s) => s !== ""), { maxLength: 5 }),
      (method, params) => {
        const request = client.encodeRequest(
          method,
          { kind: "positional", values: params },
          undefined,
        );
        const decoded = server.decode(request, () => ({ noInput: false }));
        assert.equal(decoded.kind, "call");
        if (decoded.kind !== "call") return;
        assert.equal(decoded.call.method, method);
        assert.deepEqual(decoded.call.params, { kind: "positional", values: params, after: [""] });
        assert.equal(frameCtlFifo(request), request.length);
      },
    ),
    RUNS,
  );
});
