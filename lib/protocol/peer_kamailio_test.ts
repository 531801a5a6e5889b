/**
 * The Kamailio peers' facts against the real Kamailio (`MIDGRAM_KAMAILIO_RUNDIR`,
 * set by `.ci/run`; skipped with the reason without it): the methods that
 * list, describe and version it answer, and its reply to an unknown method is
 * what its peer object takes for "method not found" (and no other peer does),
 * over binrpc (ctl) and `jsonrpcs` (datagram, FIFO, HTTP).
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { call } from "../client/call.ts";
import { defaultTransport } from "../transport/open.ts";
import type { AnyAddress } from "../transport/types.ts";
import { type Peer, peerOf, PEERS_LIST } from "./peer.ts";
import { NO_PARAMS, type Params } from "./value.ts";

const RUNDIR = process.env.MIDGRAM_KAMAILIO_RUNDIR;
const HTTP = process.env.MIDGRAM_KAMAILIO_HTTP;
const skip = RUNDIR ? false : "no real Kamailio: set MIDGRAM_KAMAILIO_RUNDIR (.ci/run does)";

/** Where the real Kamailio serves each of its peers. */
function targets(): [string, Peer, AnyAddress][] {
  const jsonrpcs = peerOf("jsonrpc", "kamailio");
  return [
    ["binrpc over ctl's UNIX stream", peerOf("binrpc"), {
      kind: "unix-stream",
      path: `${RUNDIR}/ctl.sock`,
    }],
    ["jsonrpcs over a UNIX datagram", jsonrpcs, { kind: "unix", path: `${RUNDIR}/jsonrpc.sock` }],
    ["jsonrpcs over its FIFO", jsonrpcs, { kind: "fifo", path: `${RUNDIR}/jsonrpc.fifo` }],
    ...(HTTP ? [["jsonrpcs over HTTP", jsonrpcs, { kind: "http", url: HTTP }] as const] : []),
  ] as [string, Peer, AnyAddress][];
}

async function ask(peer: Peer, to: AnyAddress, method: string, params: Params = NO_PARAMS) {
  const reply = await call(to, { method, params }, {
    transport: defaultTransport(),
    codec: peer.clientCodec(),
    flavour: peer.flavour,
    replyDir: RUNDIR,
    timeoutMs: 5000,
  });
  assert.ok(reply.outcome, `${method}: ${reply.error?.message}`);
  return reply.outcome;
}

test("Kamailio's peers: the methods that list, describe and version it answer with results", {
  skip,
}, async () => {
  for (const [where, peer, to] of targets()) {
    const list = await ask(peer, to, peer.methods.list);
    assert.equal(list.kind, "result", `${where}: ${peer.methods.list}`);
    const version = await ask(peer, to, peer.methods.version);
    assert.equal(version.kind, "result", `${where}: ${peer.methods.version}`);
    const help = await ask(
      peer,
      to,
      peer.methods.help,
      peer.methods.helpParams(peer.methods.version),
    );
    assert.equal(help.kind, "result", `${where}: ${peer.methods.help}`);
  }
});

test(
  "Kamailio's peers: its reply to an unknown method is its peer's method-not-found, and no other's",
  {
    skip,
  },
  async () => {
    for (const [where, peer, to] of targets()) {
      const outcome = await ask(peer, to, "no.such_method");
      for (const other of PEERS_LIST) {
        assert.equal(
          other.isMethodNotFound(outcome),
          other === peer,
          `${where}: ${other.dialect}/${other.flavour} reading ${JSON.stringify(outcome)}`,
        );
      }
      // An unknown method named to the help method is the help method's own error.
      const help = await ask(
        peer,
        to,
        peer.methods.help,
        peer.methods.helpParams("no.such_method"),
      );
      assert.equal(help.kind, "error", where);
      assert.equal(peer.isMethodNotFound(help), false, `${where}: ${JSON.stringify(help)}`);
    }
  },
);
