/**
 * A small writer of man(7) roff: escaping, and the Markdown this project's
 * README uses (paragraphs, headings, lists, fenced code, tables, inline code,
 * bold and links) turned into man macros.
 *
 * @module
 */

/** Escapes text for roff: backslashes, hyphens, and a leading dot or quote. */
export function roffEscape(text: string): string {
  const escaped = text.replace(/\\/g, "\\e").replace(/-/g, "\\-");
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

/** A line of running text: Markdown's inline code, bold and links in roff. */
export function roffInline(text: string): string {
  let out = "";
  // Code spans first (their content is literal), then bold and links.
  const parts = text.split(/(`[^`]*`)/);
  for (const part of parts) {
    if (part.startsWith("`") && part.endsWith("`") && part.length >= 2) {
      out += `\\fB${roffEscape(part.slice(1, -1))}\\fR`;
      continue;
    }
    out += roffEscape(part)
      .replace(/\*\*([^*]+)\*\*/g, "\\fB$1\\fR")
      .replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1 <$2>");
  }
  // A dot or quote that starts the line is text, not a request.
  return /^[.']/.test(out) ? `\\&${out}` : out;
}

/** Preformatted lines, indented, without filling. */
export function roffPreformatted(lines: string[]): string {
  return [
    ".PP",
    ".RS 4",
    ".nf",
    ...lines.map((l) => roffEscape(l.replace(/\t/g, "    "))),
    ".fi",
    ".RE",
  ]
    .join("\n");
}

/** Lays out a Markdown table as aligned plain-text columns. */
function tableLines(rows: string[]): string[] {
  const cells = rows
    .filter((r) => !/^\|?\s*:?-{3,}/.test(r))
    .map((r) =>
      r.replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) =>
        c.trim().replace(/`/g, "").replace(/\*\*/g, "").replace(/\\\|/g, "|")
      )
    );
  const widths: number[] = [];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return cells.map((row) => row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

/**
 * Turns Markdown into man macros. Headings of any level become `.SS`
 * subsections (the caller writes the `.SH` sections).
 */
export function markdownToRoff(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split("\n");
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(".PP", ...paragraph.map(roffInline));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^```/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      out.push(roffPreformatted(code));
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      out.push(`.SS ${roffInline(heading[1].replace(/`/g, ""))}`);
      continue;
    }
    if (line.startsWith("|")) {
      flush();
      const rows: string[] = [];
      for (; i < lines.length && lines[i].startsWith("|"); i++) rows.push(lines[i]);
      i--;
      out.push(roffPreformatted(tableLines(rows)));
      continue;
    }
    const item = /^(\s*)([*-]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const bullet = /\d/.test(item[2]) ? item[2] : "\\(bu";
      out.push(`.IP ${bullet} 4`, roffInline(item[3]));
      // Continuation lines of the item are indented.
      for (; i + 1 < lines.length && /^\s+\S/.test(lines[i + 1]); i++) {
        if (/^\s*([*-]|\d+\.)\s/.test(lines[i + 1])) break;
        out.push(roffInline(lines[i + 1].trim()));
      }
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    paragraph.push(line.trim());
  }
  flush();
  return out.join("\n");
}
