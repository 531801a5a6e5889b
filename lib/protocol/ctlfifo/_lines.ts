const decoder = new TextDecoder();

/** Lines as ctl's `read_line()` gives them: split at LF, a last one without its LF too. */
export function _linesOf(bytes: Uint8Array): string[] {
  const text = decoder.decode(bytes);
  const lines = text === "" ? [] : text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
