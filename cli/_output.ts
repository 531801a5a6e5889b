/**
 * What commands write and what reaches the stream: on a terminal, every
 * control character made visible ({@linkcode terminalSafe}) except midgram's
 * own styling; in a pipe or a file, the bytes as they came. Both `Io`
 * implementations (the process's and `captureIo`'s) write through
 * {@linkcode renderOutput}, so no command decides this for itself.
 *
 * @module
 */
import { terminalSafe } from "./_terminal_safe.ts";

/**
 * Text with styling that midgram adds itself (colour, a progress line's
 * return to the start of the line): the only escape sequences that reach a
 * terminal. The text inside is shown like any other.
 */
export class Styled {
  readonly text: string;
  readonly open: string;
  readonly close: string;

  /**
   * @param text The text to style (made visible on a terminal like any other).
   * @param open The escape sequence written before it, as it is.
   * @param close The escape sequence written after it, as it is.
   */
  constructor(text: string, open = "", close = "") {
    this.text = text;
    this.open = open;
    this.close = close;
  }

  /** The text alone: a Styled put into a template string loses its style, never shows escapes. */
  toString(): string {
    return this.text;
  }
}

/**
 * A control sequence midgram sends on its own (e.g. `"\r\x1b[K"`, which
 * clears a progress line).
 */
export function control(sequence: string): Styled {
  return new Styled("", sequence);
}

/** What a command writes: text, bytes, or text in pieces, some styled by midgram. */
export type Output = string | Uint8Array | readonly (string | Styled)[];

/**
 * What to write to a stream for an output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderOutput, Styled } from "./_output.ts";
 * assert.equal(renderOutput("x\x1b]0;title\x07\n", true), "x\\u001b]0;title\\u0007\n");
 * assert.equal(renderOutput("x\x1b]0;title\x07\n", false), "x\x1b]0;title\x07\n");
 * assert.equal(renderOutput([new Styled("FAIL", "\x1b[31m", "\x1b[39m"), " a\x1b[8m\n"], true), "\x1b[31mFAIL\x1b[39m a\\u001b[8m\n");
 * ```
 *
 * @param output What the command wrote.
 * @param terminal Whether the stream is a terminal.
 * @returns The text (or, off a terminal, the bytes) to write.
 */
export function renderOutput(output: Output, terminal: boolean): string | Uint8Array {
  if (typeof output === "string" || output instanceof Uint8Array) {
    return terminal ? terminalSafe(output) : output;
  }
  let text = "";
  for (const part of output as readonly (string | Styled)[]) {
    if (typeof part === "string") text += terminal ? terminalSafe(part) : part;
    else text += part.open + (terminal ? terminalSafe(part.text) : part.text) + part.close;
  }
  return text;
}
