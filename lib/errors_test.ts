import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ERROR_DISPOSITIONS,
  type ErrorCode,
  errorCodeOf,
  EXIT,
  EXIT_STATUSES,
  exitCodeOf,
  Interrupted,
  interruptedStatus,
  MidgramError,
} from "./errors.ts";
import { parseRequest } from "./protocol/mi/parse_request.ts";
import { BinRpcSyntaxError } from "./protocol/binrpc/binrpc_syntax_error.ts";
import { formatKamcmd } from "./protocol/binrpc/format_kamcmd.ts";
import { frame } from "./protocol/binrpc/frame.ts";
import { readPacket } from "./protocol/binrpc/read_packet.ts";
import { readRecords } from "./protocol/binrpc/read_records.ts";
import { RequestSyntaxError } from "./protocol/mi/request_syntax_error.ts";
import { paramsToArguments } from "./protocol/mi/tree_value.ts";
import { parsePath } from "./protocol/value_path.ts";
import { MiReplyError } from "./server/mi_reply_error.ts";
import { RpcError } from "./server/rpc_error.ts";

/** The exit status of every code, written out: a changed row of the table fails here. */
const EXPECTED_EXITS: Record<ErrorCode, number> = {
  "usage": 2,
  "config": 2,
  "request-syntax": 1,
  "request-too-large": 2,
  "invalid-request": 1,
  "reply-too-large": 5,
  "unrepresentable": 2,
  "reply-syntax": 5,
  "timeout": 3,
  "address-in-use": 4,
  "permission-denied": 4,
  "not-found": 4,
  "refused": 2,
  "connection-refused": 4,
  "not-a-socket": 4,
  "unsafe-path": 4,
  "transport": 4,
  "closed": 4,
  "truncated-reply": 5,
  "error-reply": 1,
  "method-not-found": 1,
  "invalid-params": 1,
  "handler": 1,
  "interrupted": 128,
  "internal": 1,
};

/** Asserts that `error` is of the family, with this code and exit status. */
function assertFamily(error: unknown, code: ErrorCode, exit: number): void {
  assert.ok(error instanceof MidgramError, `not a MidgramError: ${error}`);
  assert.ok(error instanceof Error);
  assert.equal(error.code, code);
  assert.equal(errorCodeOf(error), code);
  assert.equal(error.exitCode, exit);
  assert.equal(exitCodeOf(error), exit);
}

/** The error `f` throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  assert.fail("nothing thrown");
}

test("ERROR_DISPOSITIONS gives every error code its exit status, and each is a row of EXIT_STATUSES", () => {
  assert.deepEqual(Object.keys(ERROR_DISPOSITIONS).sort(), Object.keys(EXPECTED_EXITS).sort());
  const rows = new Set(EXIT_STATUSES.map((row) => row.status));
  for (const [code, disposition] of Object.entries(ERROR_DISPOSITIONS)) {
    const c = code as ErrorCode;
    assert.equal(disposition.exit, EXPECTED_EXITS[c], code);
    assert.ok(rows.has(disposition.exit), `${code}: exit ${disposition.exit} is not in the table`);
    assert.ok(disposition.exit !== EXIT.ok, `${code} exits 0`);
    assert.ok(disposition.mi === 400 || disposition.mi === 500, code);
    assert.ok(Number.isInteger(disposition.jsonrpc) && disposition.jsonrpc < 0, code);
    assert.ok(disposition.binrpc === 400 || disposition.binrpc === 500, code);
    assertFamily(new MidgramError(c, "x"), c, EXPECTED_EXITS[c]);
    assert.equal(new MidgramError(c, "x").miCode, disposition.mi, code);
    assert.equal(new MidgramError(c, "x").jsonRpcCode, disposition.jsonrpc, code);
  }
});

test("errorCodeOf() and exitCodeOf() read only the family: a TypeError or a look-alike is a bug, exit 1", () => {
  assert.equal(errorCodeOf(new TypeError("wrong type")), null);
  assert.equal(exitCodeOf(new TypeError("wrong type")), EXIT.problem);
  const lookAlike = Object.assign(new Error("no reply"), { code: "timeout" });
  assert.equal(errorCodeOf(lookAlike), null);
  assert.equal(exitCodeOf(lookAlike), EXIT.problem);
  assert.equal(errorCodeOf("timeout"), null);
  assert.equal(exitCodeOf(undefined), EXIT.problem);
});

test("Interrupted is the family's interrupted error: exit 128+N, SIGINT when the reason is no signal", () => {
  assertFamily(new Interrupted(2), "interrupted", 130);
  assertFamily(new Interrupted(15), "interrupted", 143);
  assertFamily(new Interrupted("stop"), "interrupted", 130);
  assert.equal(new Interrupted(15).signal, 15);
  assert.equal(new Interrupted(15).name, "Interrupted");
  const stop = new AbortController();
  assert.equal(interruptedStatus(stop.signal), 0);
  stop.abort(15);
  assert.equal(interruptedStatus(stop.signal), 143);
  // Stopped by its embedder, not a signal: a clean stop.
  const other = new AbortController();
  other.abort();
  assert.equal(interruptedStatus(other.signal), 0);
});

test("RpcError and MiReplyError are error replies of the family, keeping their reply code", () => {
  const rpc = new RpcError(404, "No such dialog", { id: "a1" });
  assertFamily(rpc, "error-reply", 1);
  assert.deepEqual([rpc.name, rpc.replyCode, rpc.message, rpc.data], [
    "RpcError",
    404,
    "No such dialog",
    { id: "a1" },
  ]);
  assert.deepEqual([rpc.miCode, rpc.jsonRpcCode], [404, 404]);
  // MI has no room for a JSON-RPC code: 500, as the MI codec writes it.
  assert.deepEqual([new RpcError(-32000, "x").miCode, new RpcError(-32000, "x").jsonRpcCode], [
    500,
    -32000,
  ]);
  const mi = new MiReplyError(400, "Too few or too many arguments");
  assertFamily(mi, "error-reply", 1);
  assert.ok(mi instanceof RpcError);
  assert.deepEqual([mi.name, mi.replyCode, mi.miCode, mi.reason], [
    "MiReplyError",
    400,
    400,
    "Too few or too many arguments",
  ]);
  // A code that is not an integer is the programmer's mistake.
  assert.throws(() => new RpcError(1.5, "x"), TypeError);
  assert.throws(() => new MiReplyError(42, "x"), TypeError);
});

test("RequestSyntaxError is the family's request-syntax error with its position", () => {
  const error = thrown(() => parseRequest(':set:\nna"me::x\n'));
  assertFamily(error, "request-syntax", 1);
  assert.ok(error instanceof RequestSyntaxError);
  assert.deepEqual([error.name, error.line, error.column], ["RequestSyntaxError", 2, 3]);
  assert.match(error.message, /^Cannot parse request at 2:3: /);
});

test("BinRpcSyntaxError is the family's error for bytes that are not binrpc, its code by side and cause", () => {
  const magic = thrown(() => readPacket(Uint8Array.from([0xb1, 0x00, 0x00, 0x00])));
  assertFamily(magic, "reply-syntax", 5);
  assert.ok(magic instanceof BinRpcSyntaxError);
  assert.equal(magic.name, "BinRpcSyntaxError");
  assert.equal(magic.message, `Cannot read binrpc at byte 0: ${magic.detail}`);
  // A server reading a request: the fault ctl sends, with the same detail.
  const request = thrown(() => frame(Uint8Array.from([0xb1, 0x00, 0x00, 0x00])));
  assertFamily(request, "request-syntax", 1);
  assert.ok(request instanceof BinRpcSyntaxError);
  assert.equal(request.detail, magic.detail);
  assert.ok(request.reply instanceof Uint8Array);
  // A header that announces more than the limit.
  const big = thrown(() => frame(Uint8Array.from([0xa1, 0x00, 0x03, 0x07]), { maxPacket: 4 }));
  assertFamily(big, "request-too-large", 2);
});

test("a record that cannot be read is a BinRpcSyntaxError carrying Kamailio's text and its offset", () => {
  // An int whose byte is missing, after a whole int: offset 2 of the body, 12 with a base.
  const cut = thrown(() => readRecords(Uint8Array.from([0x10, 0x05, 0x10]), { offset: 10 }));
  assertFamily(cut, "reply-syntax", 5);
  assert.ok(cut instanceof BinRpcSyntaxError);
  assert.deepEqual([cut.detail, cut.offset, cut.truncated], ["more data needed", 12, true]);
  // A record of type 7, which binrpc does not have.
  const type = thrown(() => readRecords(Uint8Array.from([0x07]), { code: "request-syntax" }));
  assertFamily(type, "request-syntax", 1);
  assert.deepEqual([(type as BinRpcSyntaxError).detail, (type as BinRpcSyntaxError).truncated], [
    "record doesn't match type",
    false,
  ]);
  const printed = thrown(() => formatKamcmd(Uint8Array.from([0x10, 0x05, 0x07])));
  assertFamily(printed, "reply-syntax", 5);
  assert.equal((printed as BinRpcSyntaxError).detail, "record 1: record doesn't match type");
});

test("user input that used to raise TypeError is a usage or unrepresentable error of the family", () => {
  assertFamily(thrown(() => parsePath("A..B")), "usage", 2);
  const list = { kind: "positional" as const, values: [[1, 2]] };
  assertFamily(thrown(() => paramsToArguments(list)), "unrepresentable", 2);
});
