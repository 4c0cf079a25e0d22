import type { LogLine } from "./build-logs.js";

/** Longer lines are cut here, with a marker: one line must not make a page or an answer huge. */
export const MAX_LINE_CHARS = 10_000;

/** A log's text as numbered lines: split on \n, \r dropped, a trailing newline ends the last line. */
export function logLines(text: string, maxLineChars = MAX_LINE_CHARS): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => {
    const line = l.endsWith("\r") ? l.slice(0, -1) : l;
    return line.length > maxLineChars ? `${line.slice(0, maxLineChars)} … (line cut at ${maxLineChars} characters)` : line;
  });
}

/** Up to `limit` lines after line `after` (line numbers start at 1). */
export function linesAfter(lines: readonly string[], after: number, limit: number): LogLine[] {
  const from = Math.max(0, Math.min(after, lines.length));
  return lines.slice(from, from + Math.max(0, limit)).map((text, i) => ({ n: from + i + 1, text }));
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks), ended by BEL or ST.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

/** A log line without terminal escape sequences (shown as plain, escaped text). */
export function withoutAnsi(line: string): string {
  return line.replace(ANSI, "");
}
