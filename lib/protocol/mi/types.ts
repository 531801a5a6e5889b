/**
 * The data types shared by the request and reply readers and writers.
 *
 * @module
 */

import type { TextArgument } from "../dialect.ts";

/**
 * One argument of a request: `name::value`, `name::` (value `""`), `value`
 * or `"quoted"`; the value is `null` only where the real parser builds a
 * node without one. The seam's `TextArgument`, which a call carries.
 */
export type MiArgument = TextArgument;

/** A parsed request: the command name and its flat list of arguments. */
export interface MiRequest {
  command: string;
  args: MiArgument[];
}

/**
 * How `parseRequest` judges a request.
 *
 * * `compat` accepts exactly what OpenSIPS 2.4 and Kamailio accept, and
 *   builds the same argument list, quirks included.
 * * `strict` follows the documented grammar and reports as errors the
 *   constructs that only the real parser tolerates.
 */
export type ParseMode = "compat" | "strict";

/** An attribute of a reply node, written ` name=value` after the value. */
export interface MiAttribute {
  name: string;
  value: string;
}

/** One node of a reply tree. */
export interface MiNode {
  /** Written as `name:: ` before the value; `null` for a bare value. */
  name: string | null;
  /** The value text; `null` for none. */
  value: string | null;
  /** Attributes, written after the value. */
  attributes: MiAttribute[];
  /** Child nodes, written one indent deeper. */
  children: MiNode[];
}

/** A whole reply: the code line and the tree below it. */
export interface MiReply {
  /** The numeric code, `200` for success. */
  code: number;
  /** The reason text after the code, e.g. `OK`. */
  reason: string;
  /** The top-level nodes. */
  nodes: MiNode[];
  /**
   * `true` for the transport's fixed error replies, which end right after
   * the code line with no final empty line (`400 parse_error\n`).
   */
  bare: boolean;
}

/** A position in a request, as reported by diagnostics. */
export interface SourcePosition {
  /** 1-based line number. */
  line: number;
  /** 1-based column, counted in Unicode code points from the line start. */
  column: number;
  /** 0-based byte offset from the start of the datagram. */
  offset: number;
}
