import { test } from "node:test";
import assert from "node:assert/strict";
import { familyOf, isMethodNotFoundIn, type Peer, peerOf, PEERS_LIST } from "./peer.ts";
import type { Fault, ReplyOutcome } from "./dialect.ts";
import { Members, NO_PARAMS } from "./value.ts";
import { jsonRpcHttp } from "./jsonrpc/carriage.ts";
import { CTLFIFO_FIFO } from "./ctlfifo/carriage.ts";

/** What each peer is, fact by fact. */
const FACTS = [
  {
    dialect: "mi",
    flavour: "opensips",
    family: "opensips-2.4",
    methods: { list: "which", help: "help", version: "version" },
    helpParams: { kind: "positional", values: ["core.echo"] },
    fifo: false,
    http: false,
    checksParams: false,
  },
  {
    dialect: "jsonrpc",
    flavour: "opensips",
    family: "opensips",
    methods: { list: "which", help: "help", version: "version" },
    helpParams: { kind: "named", values: new Members([["mi_cmd", "core.echo"]]) },
    fifo: true,
    http: true,
    checksParams: true,
  },
  {
    dialect: "jsonrpc",
    flavour: "kamailio",
    family: "kamailio",
    methods: { list: "system.listMethods", help: "system.methodHelp", version: "core.version" },
    helpParams: { kind: "positional", values: ["core.echo"] },
    fifo: true,
    http: true,
    checksParams: false,
  },
  {
    dialect: "binrpc",
    flavour: "kamailio",
    family: "kamailio",
    methods: { list: "system.listMethods", help: "system.methodHelp", version: "core.version" },
    helpParams: { kind: "positional", values: ["core.echo"] },
    fifo: false,
    http: false,
    checksParams: false,
  },
  {
    dialect: "ctlfifo",
    flavour: "kamailio",
    family: "kamailio",
    methods: { list: "system.listMethods", help: "system.methodHelp", version: "core.version" },
    helpParams: { kind: "positional", values: ["core.echo"] },
    fifo: true,
    http: false,
    checksParams: false,
  },
] as const;

const label = (peer: Peer) => `${peer.dialect}/${peer.flavour}`;

test("peerOf() holds each fact of each dialect and flavour", () => {
  assert.equal(PEERS_LIST.length, FACTS.length);
  for (const want of FACTS) {
    const peer = peerOf(want.dialect, want.flavour);
    assert.ok(PEERS_LIST.includes(peer), label(peer));
    assert.equal(peer.dialect, want.dialect);
    assert.equal(peer.flavour, want.flavour, label(peer));
    assert.equal(peer.family, want.family, label(peer));
    const { helpParams, ...methods } = peer.methods;
    assert.deepEqual(methods, want.methods, label(peer));
    assert.deepEqual(helpParams("core.echo"), want.helpParams, label(peer));
    assert.equal(peer.fifo !== undefined, want.fifo, label(peer));
    assert.equal(peer.http !== undefined, want.http, label(peer));
    assert.equal(peer.paramsProblem !== undefined, want.checksParams, label(peer));
    assert.equal(familyOf(peer.family).methods, peer.methods);
    assert.equal(familyOf(peer.family).flavour, peer.flavour);
  }
});

test("familyOf() says how each server family tells its statistics", () => {
  const shown = (family: "opensips-2.4" | "opensips" | "kamailio") => {
    const { name, statistics: s } = familyOf(family);
    const params = s.params(["core:", "tm:"]);
    return {
      name,
      method: s.method,
      separator: s.separator,
      flags: s.flags,
      params: params.kind === "named" ? [...params.values.entries] : params.values,
    };
  };
  assert.deepEqual(shown("opensips-2.4"), {
    name: "OpenSIPS",
    method: "get_statistics",
    separator: ":",
    flags: "list_statistics",
    params: ["core:", "tm:"],
  });
  assert.deepEqual(shown("opensips"), {
    name: "OpenSIPS",
    method: "get_statistics",
    separator: ":",
    flags: "list_statistics",
    params: [["statistics", ["core:", "tm:"]]],
  });
  assert.deepEqual(shown("kamailio"), {
    name: "Kamailio",
    method: "stats.fetch",
    separator: ".",
    flags: null,
    params: ["core:", "tm:"],
  });
});

test("Peer.paramsProblem() of OpenSIPS 3 checks parameters against a command's recipes", () => {
  const check = peerOf("jsonrpc", "opensips").paramsProblem!;
  const recipes = [["key"], ["key", "value"]];
  assert.equal(check({ kind: "positional", values: ["k", "v"] }, recipes), null);
  assert.equal(check({ kind: "positional", values: ["k"] }, recipes), null);
  assert.equal(typeof check({ kind: "positional", values: ["a", "b", "c"] }, recipes), "string");
  assert.equal(typeof check({ kind: "positional", values: [] }, recipes), "string");
});

test("peerOf() takes JSON-RPC of an unknown flavour as OpenSIPS, and ignores the flavour of other dialects", () => {
  assert.equal(peerOf("jsonrpc"), peerOf("jsonrpc", "opensips"));
  assert.equal(peerOf("jsonrpc", "anything"), peerOf("jsonrpc", "opensips"));
  assert.equal(peerOf("binrpc", "opensips"), peerOf("binrpc"));
  assert.equal(peerOf("mi", "kamailio").family, "opensips-2.4");
  assert.equal(peerOf("ctlfifo", "opensips").family, "kamailio");
});

test("peerOf() makes the codec halves of its dialect and flavour, carried as it says", () => {
  for (const peer of PEERS_LIST) {
    const server = peer.serverCodec();
    const client = peer.clientCodec();
    assert.equal(server.dialect, peer.dialect);
    assert.equal(client.dialect, peer.dialect);
    assert.equal(server.flavour, peer.dialect === "jsonrpc" ? peer.flavour : peer.family);
    assert.equal(server.fifo, peer.fifo, label(peer));
    assert.equal(server.http, peer.http, label(peer));
    if (peer.fifo) assert.equal(client.fifo?.(peer.flavour), peer.fifo, label(peer));
  }
  assert.equal(peerOf("ctlfifo").fifo, CTLFIFO_FIFO);
  assert.equal(peerOf("jsonrpc", "kamailio").http, jsonRpcHttp("kamailio"));
  // Each codec is new: a server codec keeps its own counters.
  assert.notEqual(peerOf("mi").serverCodec(), peerOf("mi").serverCodec());
});

/** The reply each peer's own server gives to an unknown method, read by its own client. */
function unknownMethodOutcomes(peer: Peer): ReplyOutcome[] {
  const server = peer.serverCodec();
  const client = peer.clientCodec();
  const token = client.newToken();
  const request = client.encodeRequest("no.such_method", NO_PARAMS, token);
  const decoded = server.decode(request, () => undefined);
  assert.equal(decoded.kind, "answer", label(peer));
  const outcomes: ReplyOutcome[] = [];
  if (decoded.kind === "answer") {
    assert.equal(decoded.reason, "method-not-found", label(peer));
    assert.ok(decoded.reply, label(peer));
    outcomes.push(client.decodeReply(decoded.reply!, token));
  }
  // The same fault written by the encoder (a method the dispatcher did not find).
  const known = server.decode(request, () => ({ noInput: false }));
  assert.equal(known.kind, "call", label(peer));
  if (known.kind === "call") {
    const fault: Fault = { kind: "method-not-found", method: "no.such_method" };
    outcomes.push(client.decodeReply(server.encodeFault(known.call, fault)!, token));
  }
  return outcomes;
}

test("Peer.isMethodNotFound() knows its own server's reply to an unknown method, and no other's", () => {
  const replies = new Map(PEERS_LIST.map((peer) => [peer, unknownMethodOutcomes(peer)]));
  for (const peer of PEERS_LIST) {
    for (const [other, outcomes] of replies) {
      for (const outcome of outcomes) {
        assert.equal(
          peer.isMethodNotFound(outcome),
          other === peer,
          `${label(peer)} reading ${label(other)}'s ${JSON.stringify(outcome)}`,
        );
      }
    }
  }
});

test("Peer.isMethodNotFound() knows what the real servers answer", () => {
  // Kamailio 5.6.3, seen with kamcmd and over jsonrpcs (datagram and HTTP).
  const kamailio: [Peer, ReplyOutcome][] = [
    [peerOf("binrpc"), { kind: "error", code: 500, message: "command nosuch not found" }],
    [peerOf("jsonrpc", "kamailio"), { kind: "error", code: 500, message: "Method Not Found" }],
    // OpenSIPS 2.4 mi_datagram/mi_fifo and 3.x (PROTOCOL.md, PROTOCOL-JSONRPC.md).
    [peerOf("mi"), { kind: "error", code: 500, message: "command not available" }],
    [peerOf("jsonrpc", "opensips"), { kind: "error", code: -32601, message: "Method not found" }],
  ];
  for (const [peer, outcome] of kamailio) assert.ok(peer.isMethodNotFound(outcome), label(peer));
  const not: [Peer, ReplyOutcome | null][] = [
    // system.methodHelp of an unknown method: the method asked exists.
    [peerOf("jsonrpc", "kamailio"), { kind: "error", code: 400, message: "command not found" }],
    [peerOf("binrpc"), { kind: "error", code: 400, message: "command not found" }],
    [peerOf("binrpc"), { kind: "error", code: 500, message: "Key name doesn't exist in htable." }],
    [peerOf("mi"), { kind: "error", code: 404, message: "command not available" }],
    [peerOf("jsonrpc", "opensips"), { kind: "result", value: "Method not found" }],
    [peerOf("jsonrpc", "kamailio"), { kind: "foreign" }],
    [peerOf("ctlfifo"), null],
  ];
  for (const [peer, outcome] of not) {
    assert.equal(
      peer.isMethodNotFound(outcome),
      false,
      `${label(peer)} ${JSON.stringify(outcome)}`,
    );
  }
});

test("isMethodNotFoundIn() knows every server of a dialect", () => {
  assert.ok(
    isMethodNotFoundIn("jsonrpc", { kind: "error", code: 500, message: "Method Not Found" }),
  );
  assert.ok(isMethodNotFoundIn("jsonrpc", { kind: "error", code: -32601, message: "x" }));
  assert.ok(
    !isMethodNotFoundIn("jsonrpc", { kind: "error", code: 500, message: "No such htable" }),
  );
  assert.ok(!isMethodNotFoundIn("mi", { kind: "error", code: 500, message: "Method Not Found" }));
  assert.ok(
    isMethodNotFoundIn("ctlfifo", { kind: "error", code: 500, message: "Command 'x.y' not found" }),
  );
});

test("jsonRpcHttp() gives Kamailio's status line for each fault, and OpenSIPS's 200", () => {
  const kamailio = peerOf("jsonrpc", "kamailio").http!;
  const opensips = peerOf("jsonrpc", "opensips").http!;
  // What xhttp answered (Kamailio 5.6.3): the handler's code and message.
  const cases: [Fault | null, { code: number; reason?: string }][] = [
    [null, { code: 200, reason: "OK" }],
    [{ kind: "method-not-found", method: "nosuch" }, { code: 500, reason: "Method Not Found" }],
    [{ kind: "command", code: 400, message: "command not found" }, {
      code: 400,
      reason: "command not found",
    }],
    [{ kind: "command", code: 500, message: "No such htable" }, {
      code: 500,
      reason: "No such htable",
    }],
    [{ kind: "invalid-params", detail: "Invalid Parameters" }, {
      code: 500,
      reason: "Invalid Parameters",
    }],
    [{ kind: "failed", message: "Command timed out" }, { code: 500, reason: "Command timed out" }],
    [{ kind: "busy" }, { code: 500, reason: "Server busy" }],
    // No HTTP status is 0, -32000 or 1000: 500, the message still the reason.
    [{ kind: "command", code: 0, message: "zero" }, { code: 500, reason: "zero" }],
    [{ kind: "command", code: -32000, message: "" }, { code: 500 }],
    [{ kind: "command", code: 1000, message: "big" }, { code: 500, reason: "big" }],
    // A reason line carries printable ASCII only, at most 127 bytes.
    [{ kind: "command", code: 404, message: "bad\r\nX-Injected: 1 é" }, {
      code: 404,
      reason: "bad??X-Injected: 1 ?",
    }],
    [{ kind: "command", code: 404, message: "x".repeat(300) }, {
      code: 404,
      reason: "x".repeat(127),
    }],
  ];
  for (const [fault, want] of cases) {
    assert.deepEqual(kamailio.status(fault), want, JSON.stringify(fault));
    assert.equal(opensips.status(fault).code, 200, JSON.stringify(fault));
  }
  assert.equal(kamailio.contentType, "application/json");
  assert.equal(opensips.contentType, "application/json");
});
