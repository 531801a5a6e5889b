/**
 * Every fact about a peer in one object: which server speaks a dialect
 * (OpenSIPS 2.4, OpenSIPS 3 or Kamailio), its codec halves, how its
 * requests travel through a FIFO and over HTTP, the methods that list,
 * describe and version it, and what its "method not found" looks like. The
 * client, the server, `doctor`, `send`, the exporter and the fuzzer ask
 * {@linkcode peerOf} instead of testing the dialect or flavour themselves.
 * Pure: no I/O.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peerOf } from "./peer.ts";
 * const kamailio = peerOf("jsonrpc", "kamailio");
 * assert.equal(kamailio.family, "kamailio");
 * assert.equal(kamailio.methods.version, "core.version");
 * assert.equal(
 *   kamailio.isMethodNotFound({ kind: "error", code: 500, message: "Method Not Found" }),
 *   true,
 * );
 * assert.equal(peerOf("jsonrpc").methods.list, "which");
 * ```
 *
 * @module
 */
import type {
  ClientCodec,
  DialectName,
  FifoFraming,
  Flavour,
  HttpCarriage,
  ReplyOutcome,
  ServerCodec,
} from "./dialect.ts";
import { Members, type Params } from "./value.ts";
import { createMiClientCodec, createMiServerCodec } from "./mi/codec.ts";
import { createBinRpcClientCodec } from "./binrpc/create_binrpc_client_codec.ts";
import { createBinRpcServerCodec } from "./binrpc/create_binrpc_server_codec.ts";
import { createJsonRpcClientCodec } from "./jsonrpc/create_json_rpc_client_codec.ts";
import { createJsonRpcServerCodec } from "./jsonrpc/create_json_rpc_server_codec.ts";
import { jsonRpcFifoFraming, jsonRpcHttp } from "./jsonrpc/carriage.ts";
import { matchRecipe } from "./jsonrpc/match_recipe.ts";
import { createCtlFifoClientCodec } from "./ctlfifo/create_ctlfifo_client_codec.ts";
import { createCtlFifoServerCodec } from "./ctlfifo/create_ctlfifo_server_codec.ts";
import { CTLFIFO_FIFO } from "./ctlfifo/carriage.ts";

export type { Flavour };

/**
 * The server families, each with its own commands and reply layouts:
 * OpenSIPS 2.4 (text MI), OpenSIPS 3 (JSON-RPC), Kamailio (binrpc, ctl's
 * FIFO protocol, `jsonrpcs`).
 */
export type ServerFamily = "opensips-2.4" | "opensips" | "kamailio";

/** The methods that tell about a server itself. */
export interface PeerMethods {
  /** Lists the server's methods: `which`, `system.listMethods`. */
  readonly list: string;
  /** Describes one method, named by its one parameter: `help`, `system.methodHelp`. */
  readonly help: string;
  /** The parameters of {@linkcode PeerMethods.help} naming `method` (OpenSIPS 3 names it `mi_cmd`). */
  helpParams(method: string): Params;
  /** Tells the server's version: `version`, `core.version`. */
  readonly version: string;
}

/** How a server family tells its statistics. */
export interface StatisticsFacts {
  /** The method: `get_statistics`, `stats.fetch`. */
  readonly method: string;
  /** Its parameters for these names or groups (`all`, `core:`): OpenSIPS 3 names them `statistics`. */
  params(names: readonly string[]): Params;
  /** Between a statistic's group and name: `core:rcv_requests`, `core.rcv_requests`. */
  readonly separator: ":" | ".";
  /** The method that lists the statistics with their flags (`list_statistics`), or `null`. */
  readonly flags: string | null;
}

/** What a server family is, whatever dialect it is reached in. */
export interface FamilyFacts {
  readonly family: ServerFamily;
  /** Whose server it is. */
  readonly flavour: Flavour;
  /** Its name in messages and metric help: `OpenSIPS`, `Kamailio`. */
  readonly name: string;
  readonly methods: PeerMethods;
  readonly statistics: StatisticsFacts;
}

/** Options of a peer's codec makers. */
export interface PeerCodecOptions {
  /** Text MI: the reply indent string; default TAB. */
  indent?: string;
  /** Told of what a server codec counts: `replies_200`, `unrepresentable_replies`, `oversized_replies`. */
  count?: (counter: string) => void;
}

/** Every fact about a peer: one dialect as one server family speaks it. */
export interface Peer extends FamilyFacts {
  readonly dialect: DialectName;
  /** A new server codec (each keeps its own counters). */
  serverCodec(options?: PeerCodecOptions): ServerCodec;
  /** A new client codec (each makes its own tokens). */
  clientCodec(options?: PeerCodecOptions): ClientCodec;
  /** How requests travel through a FIFO; absent where no FIFO carries the dialect. */
  readonly fifo?: FifoFraming;
  /** How exchanges travel over HTTP; absent where HTTP does not carry the dialect. */
  readonly http?: HttpCarriage;
  /**
   * Why the server refuses a call's parameters before it runs the command,
   * checked against the command's recipes (the lists of parameter names it
   * takes), or `null` when they fit: OpenSIPS 3's JSON-RPC answers
   * `invalid-params` before any handler runs. Absent for servers that check
   * nothing before the handler.
   */
  paramsProblem?(params: Params, recipes: ReadonlyArray<readonly string[]>): string | null;
  /** Whether a reply says that the method called does not exist on this server. */
  isMethodNotFound(outcome: ReplyOutcome | null | undefined): boolean;
}

/** One positional parameter. */
const positional = (value: string): Params => ({ kind: "positional", values: [value] });
/** Positional parameters. */
const allPositional = (values: readonly string[]): Params => ({
  kind: "positional",
  values: [...values],
});

const FAMILIES: Record<ServerFamily, FamilyFacts> = {
  "opensips-2.4": {
    family: "opensips-2.4",
    flavour: "opensips",
    name: "OpenSIPS",
    methods: { list: "which", help: "help", helpParams: positional, version: "version" },
    statistics: {
      method: "get_statistics",
      params: allPositional,
      separator: ":",
      flags: "list_statistics",
    },
  },
  "opensips": {
    family: "opensips",
    flavour: "opensips",
    name: "OpenSIPS",
    statistics: {
      method: "get_statistics",
      params: (names) => ({ kind: "named", values: new Members([["statistics", [...names]]]) }),
      separator: ":",
      flags: "list_statistics",
    },
    methods: {
      list: "which",
      help: "help",
      helpParams: (method) => ({ kind: "named", values: new Members([["mi_cmd", method]]) }),
      version: "version",
    },
  },
  "kamailio": {
    family: "kamailio",
    flavour: "kamailio",
    name: "Kamailio",
    statistics: { method: "stats.fetch", params: allPositional, separator: ".", flags: null },
    methods: {
      list: "system.listMethods",
      help: "system.methodHelp",
      helpParams: positional,
      version: "core.version",
    },
  },
};

/**
 * The facts of a server family.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { familyOf } from "./peer.ts";
 * assert.equal(familyOf("opensips-2.4").flavour, "opensips");
 * assert.equal(familyOf("kamailio").methods.help, "system.methodHelp");
 * ```
 */
export function familyOf(family: ServerFamily): FamilyFacts {
  return FAMILIES[family];
}

/** An error reply with this code whose message matches. */
const errorWith = (code: number, message: RegExp) => (outcome: ReplyOutcome | null | undefined) =>
  outcome?.kind === "error" && outcome.code === code && message.test(outcome.message);

const PEERS = {
  "mi": {
    ...FAMILIES["opensips-2.4"],
    dialect: "mi",
    serverCodec: (options = {}) =>
      createMiServerCodec({ indent: options.indent, count: options.count }),
    clientCodec: (options = {}) => createMiClientCodec({ indent: options.indent }),
    // `500 command not available` (mi_datagram, mi_fifo).
    isMethodNotFound: errorWith(500, /^command not available$/),
  },
  "jsonrpc/opensips": {
    ...FAMILIES.opensips,
    dialect: "jsonrpc",
    serverCodec: () => createJsonRpcServerCodec({ flavour: "opensips" }),
    clientCodec: () => createJsonRpcClientCodec(),
    fifo: jsonRpcFifoFraming("opensips"),
    http: jsonRpcHttp("opensips"),
    paramsProblem(params, recipes) {
      const match = matchRecipe(params, recipes);
      return match.ok ? null : match.detail;
    },
    // -32601 `Method not found`.
    isMethodNotFound: errorWith(-32601, /./),
  },
  "jsonrpc/kamailio": {
    ...FAMILIES.kamailio,
    dialect: "jsonrpc",
    serverCodec: () => createJsonRpcServerCodec({ flavour: "kamailio" }),
    clientCodec: () => createJsonRpcClientCodec(),
    fifo: jsonRpcFifoFraming("kamailio"),
    http: jsonRpcHttp("kamailio"),
    // jsonrpcs 5.6: `{"code":500,"message":"Method Not Found"}` (HTTP too).
    isMethodNotFound: errorWith(500, /^Method Not Found$/),
  },
  "binrpc": {
    ...FAMILIES.kamailio,
    dialect: "binrpc",
    serverCodec: () => createBinRpcServerCodec(),
    clientCodec: () => createBinRpcClientCodec(),
    // ctl: fault 500 `command NAME not found`.
    isMethodNotFound: errorWith(500, /^command .* not found$/s),
  },
  "ctlfifo": {
    ...FAMILIES.kamailio,
    dialect: "ctlfifo",
    serverCodec: (options = {}) => createCtlFifoServerCodec({ count: options.count }),
    clientCodec: () => createCtlFifoClientCodec(),
    fifo: CTLFIFO_FIFO,
    // ctl's FIFO protocol: `500 Command 'NAME' not found`.
    isMethodNotFound: errorWith(500, /^Command '.*' not found$/s),
  },
} satisfies Record<string, Peer>;

/**
 * The peer that speaks `dialect`: for JSON-RPC the server of `flavour`
 * (OpenSIPS 3 when it is not known); the other dialects have one server
 * each, and ignore `flavour`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peerOf } from "./peer.ts";
 * assert.equal(peerOf("binrpc").methods.list, "system.listMethods");
 * assert.equal(peerOf("mi").family, "opensips-2.4");
 * assert.equal(peerOf("jsonrpc", "kamailio").fifo, peerOf("jsonrpc", "kamailio").serverCodec().fifo);
 * ```
 */
export function peerOf(dialect: DialectName, flavour?: string): Peer {
  switch (dialect) {
    case "jsonrpc":
      return flavour === "kamailio" ? PEERS["jsonrpc/kamailio"] : PEERS["jsonrpc/opensips"];
    case "mi":
    case "binrpc":
    case "ctlfifo":
      return PEERS[dialect];
  }
}

/**
 * Whether a reply in `dialect` says that the method does not exist,
 * whichever server of the dialect wrote it: for a JSON-RPC peer whose
 * flavour is not known yet (OpenSIPS's -32601, Kamailio's 500 `Method Not
 * Found`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMethodNotFoundIn } from "./peer.ts";
 * const kamailio = { kind: "error", code: 500, message: "Method Not Found" } as const;
 * assert.equal(isMethodNotFoundIn("jsonrpc", kamailio), true);
 * assert.equal(isMethodNotFoundIn("binrpc", kamailio), false);
 * ```
 */
export function isMethodNotFoundIn(
  dialect: DialectName,
  outcome: ReplyOutcome | null | undefined,
): boolean {
  return PEERS_LIST.some((peer) => peer.dialect === dialect && peer.isMethodNotFound(outcome));
}

/**
 * Every peer, one per dialect and server family, in the order `--help`
 * lists the dialects.
 */
export const PEERS_LIST: readonly Peer[] = [
  PEERS.mi,
  PEERS["jsonrpc/opensips"],
  PEERS["jsonrpc/kamailio"],
  PEERS.binrpc,
  PEERS.ctlfifo,
];
