/**
 * Colours for terminal output: on only for a terminal, off with `NO_COLOR`,
 * forced either way with `--color always|never`.
 *
 * @module
 */
import type { Io } from "./io.ts";
import { Styled } from "./_output.ts";

/** The `--color` setting. */
export type ColorWhen = "auto" | "always" | "never";

/**
 * A set of styling functions; each gives a {@linkcode Styled} to write
 * (`io.stdout([paint.red("FAIL"), " reason\n"])`), unstyled when colour is off.
 */
export interface Palette {
  enabled: boolean;
  red(text: string): Styled;
  yellow(text: string): Styled;
  green(text: string): Styled;
  dim(text: string): Styled;
  bold(text: string): Styled;
}

const code = (open: number, close: number) => (text: string) =>
  new Styled(text, `\x1b[${open}m`, `\x1b[${close}m`);
const plain = (text: string) => new Styled(text);

/**
 * Chooses a palette for a stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { palette } from "./_color.ts";
 * import { captureIo } from "./io.ts";
 * // captureIo() is not a terminal, so "auto" colours nothing
 * assert.equal(palette("auto", captureIo(), "stderr").red("error").open, "");
 * ```
 */
export function palette(when: ColorWhen, io: Io, stream: "stdout" | "stderr"): Palette {
  const tty = stream === "stdout" ? io.stdoutIsTTY : io.stderrIsTTY;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "";
  const enabled = when === "always" || (when === "auto" && tty && !noColor);
  return enabled
    ? {
      enabled,
      red: code(31, 39),
      yellow: code(33, 39),
      green: code(32, 39),
      dim: code(2, 22),
      bold: code(1, 22),
    }
    : { enabled, red: plain, yellow: plain, green: plain, dim: plain, bold: plain };
}
