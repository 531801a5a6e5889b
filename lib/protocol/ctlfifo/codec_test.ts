import { test } from "node:test";
import assert from "node:assert/strict";
import { MidgramError } from "../../errors.ts";
import { Double, Members } from "../value.ts";
import { findRequestEnd, frameCtlFifo } from "./frame.ts";
import { readCtlFifoRequest } from "./read_request.ts";
import { writeCtlFifoRequest } from "./write_request.ts";
import { readCtlFifoReply, readCtlFifoStruct } from "./read_reply.ts";
import { writeCtlFifoReply } from "./write_reply.ts";
import { createCtlFifoClientCodec } from "./create_ctlfifo_client_codec.ts";
import { withCtlFifoReplyName } from "./carriage.ts";
import { createCtlFifoServerCodec } from "./create_ctlfifo_server_codec.ts";
import { analyzeCtlFifoRequest } from "./analyze_request.ts";
import { MAX_REQUEST } from "./limits.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);

test("findRequestEnd() ends a request at any two line-end bytes in a row, as ctl does", () => {
  assert.equal(findRequestEnd(bytes(":a:\n\n")), 5);
  assert.equal(findRequestEnd(bytes(":a:\r\n")), 5);
  assert.equal(findRequestEnd(bytes(":a:\n\r")), 5);
  assert.equal(findRequestEnd(bytes(":a:\nx\n")), -1);
});

test("frameCtlFifo() waits for 6 bytes and an end, and gives up at 65535 bytes", () => {
  assert.equal(frameCtlFifo(bytes("\n\n")), 0);
  assert.equal(frameCtlFifo(bytes(":a:\n\nrest")), 5);
  assert.equal(frameCtlFifo(bytes(":core.version:\n")), 0);
  assert.throws(
    () => frameCtlFifo(new Uint8Array(MAX_REQUEST).fill(0x61)),
    (e) => e instanceof MidgramError && e.code === "request-syntax",
  );
});

test("readCtlFifoRequest() refuses the first lines ctl refuses", () => {
  const why = (s: string) => {
    const r = readCtlFifoRequest(bytes(s));
    return r.kind === "refused" ? r.why : r.kind;
  };
  assert.equal(why("\n\n\n\n\n\n"), "Empty command received");
  assert.equal(why(":a\n\n\n\n\n"), "Command must have at least 3 chars");
  assert.equal(why("core.version:r\n\n"), "Command must begin with :");
  assert.equal(why(":core.version\n\n"), "File separator missing");
  assert.equal(why("::reply\n\n"), "Empty command");
  assert.equal(why(":core.version:a.b\n\n"), "Forbidden filename: a.b");
  assert.equal(why(":core.version:a/b\n\n"), "Forbidden filename: a/b");
  assert.equal(why(":core.version:a\\b\n\n"), "Forbidden filename: a\\b");
  assert.equal(why(":x:\n\n"), "incomplete");
});

test("readCtlFifoRequest() reads the method as a C string, the name and unescaped parameters", () => {
  assert.deepEqual(readCtlFifoRequest(bytes(":co\0re:r\nx\n\n")), {
    kind: "refused",
    length: 12,
    why: "File separator missing",
    replyName: null,
  });
  assert.deepEqual(readCtlFifoRequest(bytes(":m:\na\\nb\n\\q\nk\\cv\n\n")), {
    kind: "call",
    length: 18,
    method: "m",
    replyName: null,
    params: ["a\nb", new TextEncoder().encode("\\q"), "k:v"],
    after: [""],
  });
  // What ctl's reader finds after the parameters: the empty line, then the rest of the datagram.
  const r = readCtlFifoRequest(bytes(":core.echo:\n\ngarbage\nmore\n"));
  assert.deepEqual(r.kind === "call" ? [r.params, r.after] : r, [[], ["", "garbage", "more"]]);
  const crlf = readCtlFifoRequest(bytes(":core.echo:\r\nx"));
  assert.deepEqual(crlf.kind === "call" ? [crlf.params, crlf.after] : crlf, [[], ["x"]]);
});

test("writeCtlFifoRequest() escapes parameters and refuses what a line cannot carry", () => {
  assert.equal(
    text(
      writeCtlFifoRequest("m", ["a\nb", 7, new Double(1.5), true, new Members([["k:", "v,"]])], ""),
    ),
    ":m:\na\\nb\n7\n1.5\n1\nk\\c:v\\o\n\n",
  );
  for (
    const [method, values] of [
      ["a:b", []],
      ["", []],
      ["m", [""]],
      ["m", [null]],
      ["m", [[1]]],
      ["m", []], // ":m:\n\n" is 5 bytes: ctl waits for 6
    ] as const
  ) {
    assert.throws(
      () => writeCtlFifoRequest(method, values as never, ""),
      (e) => e instanceof MidgramError && e.code === "unrepresentable",
      `${method} ${JSON.stringify(values)}`,
    );
  }
});

test("readCtlFifoReply() reads the status line and the lines, and refuses what is no reply", () => {
  assert.deepEqual(readCtlFifoReply(bytes("400 Invalid parameter value on line 2\n")), {
    code: 400,
    reason: "Invalid parameter value on line 2",
    lines: [],
  });
  // ctl writes rpl_printf values without a line end: the last line may lack one.
  assert.deepEqual(readCtlFifoReply(bytes("200 OK\na\n\nb")).lines, ["a", "", "b"]);
  assert.throws(
    () => readCtlFifoReply(bytes("200 OK")),
    (e) => e instanceof MidgramError && e.code === "truncated-reply",
  );
  assert.throws(
    () => readCtlFifoReply(bytes("{}\n")),
    (e) => e instanceof MidgramError && e.code === "reply-syntax",
  );
});

test("writeCtlFifoReply() writes structs in one line, members in ctl's reversed order, escaped", () => {
  const reply = writeCtlFifoReply(200, "OK", [
    "a\tb:c",
    new Members([["now", "Sun 03:05"], ["uptime", 9]]),
    true,
    new Double(2),
    null,
  ]);
  assert.equal(
    text(reply),
    "200 OK\na\\tb:c\nuptime:9,now:Sun 03\\o05\n1\n2.000000\n<null string>\n",
  );
  // a struct inside a struct goes after its name, at the end of the reply
  assert.equal(
    text(
      writeCtlFifoReply(200, "OK", [
        new Members([["a", 1], ["s", new Members([["x", 2]])], ["b", 3]]),
      ]),
    ),
    "200 OK\nb:3,a:1,s:x:2\n",
  );
  assert.equal(text(writeCtlFifoReply(500, "bad\nline\r", [])), "500 bad line\r\n");
  // ctl writes a reply in at most 1024 pieces: 4 for the status line, 2 a value
  assert.notEqual(writeCtlFifoReply(200, "OK", new Array(510).fill("x")), null);
  assert.equal(writeCtlFifoReply(200, "OK", new Array(511).fill("x")), null);
});

test("readCtlFifoStruct() reads a struct line back, and refuses a line that is none", () => {
  const line = text(writeCtlFifoReply(200, "OK", [new Members([["a:b", "c,d"], ["e", "f"]])]))!
    .split("\n")[1];
  assert.deepEqual(readCtlFifoStruct(line)?.entries, [["e", "f"], ["a:b", "c,d"]]);
  assert.equal(readCtlFifoStruct("kamailio 5.6.3"), null);
});

test("the ctlfifo codecs: a request written by the client is read by the server and answered", () => {
  const client = createCtlFifoClientCodec();
  const server = createCtlFifoServerCodec();
  const request = client.encodeRequest("core.echo", {
    kind: "positional",
    values: ["x y", "a\\b"],
  }, undefined);
  const named = withCtlFifoReplyName(request, "r1");
  assert.equal(text(named), ":core.echo:r1\nx y\na\\\\b\n\n");
  assert.deepEqual(server.fifo?.reader("/tmp").push(named).requests.map((r) => r.replyName), [
    "r1",
  ]);
  const decoded = server.decode(named, () => ({ noInput: false }));
  assert.equal(decoded.kind, "call");
  if (decoded.kind !== "call") return;
  assert.deepEqual(decoded.call.params, {
    kind: "positional",
    values: ["x y", "a\\b"],
    after: [""],
  });
  const reply = server.encodeResult(decoded.call, ["x y", "a\\b"]);
  assert.deepEqual(client.decodeReply(reply!, undefined), {
    kind: "result",
    value: ["x y", "a\\\\b"],
  });
  const fault = server.encodeFault(decoded.call, { kind: "method-not-found", method: "x" });
  assert.deepEqual(client.decodeReply(fault!, undefined), {
    kind: "error",
    code: 500,
    message: "Command 'x' not found",
  });
  assert.equal(
    server.encodeFault(decoded.call, { kind: "reply-too-large", size: 1, limit: 0 }),
    null,
  );
});

test("the ctlfifo server codec answers refusals with a bare 200 OK and cut requests with nothing", () => {
  const server = createCtlFifoServerCodec();
  const lookup = (m: string) => (m === "core.version" ? { noInput: false } : undefined);
  const answer = (s: string) => {
    const d = server.decode(bytes(s), lookup);
    return d.kind === "answer" ? text(d.reply) : "call";
  };
  assert.equal(answer(":core.version:a.b\n\n"), "200 OK\n");
  assert.equal(answer(":no.such:\n\n"), "500 Command 'no.such' not found\n");
  assert.equal(answer(":core.version:\n"), null);
  assert.equal(answer(":x:\n\n"), null);
  assert.equal(answer(":core.version:\n\nrest"), "call");
});

test("analyzeCtlFifoRequest() reports what ctl refuses as errors, doubtful bytes as warnings", () => {
  const codes = (s: string) => {
    const r = analyzeCtlFifoRequest(bytes(s));
    return [...r.errors, ...r.warnings].map((d) => `${d.code}@${d.line}:${d.column}`);
  };
  assert.deepEqual(codes(":core.version:r\n\n"), []);
  assert.deepEqual(codes(":a:"), ["too-short@1:1"]);
  assert.deepEqual(codes(":core.version:\nx\n"), ["no-end@3:1"]);
  assert.deepEqual(codes("core.version\n\n"), ["refused@1:1"]);
  assert.deepEqual(codes(":m:\na\\qb\n\nmore"), ["trailing-bytes@4:1", "bad-escape@2:1"]);
  assert.deepEqual(codes(":m:r\rx\n\n"), ["carriage-return@1:5"]);
  // CR LF is already an end: the LF after it is a second request
  assert.deepEqual(codes(":m:r\r\n\n"), ["trailing-bytes@2:1", "carriage-return@1:5"]);
});
