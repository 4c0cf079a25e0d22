import type { LogLine } from "../domain/build-logs.js";

export interface LogTextLimits {
  /** Lines kept per build (UTF-8 bytes of their text); past it the oldest lines are dropped. */
  readonly maxBytes: number;
  /** Longer lines are cut here, with a marker. */
  readonly maxLineChars: number;
}

/** What a slice may carry at most, however many lines were asked for (a response stays a few MB). */
export const MAX_SLICE_BYTES = 2 * 1024 * 1024;

/**
 * One build's log as numbered lines, split once as text arrives (never again per read):
 * `\n` ends a line, a trailing `\r` is dropped, lines over `maxLineChars` are cut with a marker.
 * When the kept lines pass `maxBytes`, the oldest are dropped (to 90 %, so not on every append)
 * and reads from before them start with one marker line numbered `dropped`.
 */
export class LogText {
  /** Lines dropped from the front (the first kept line is `dropped + 1`). */
  dropped = 0;
  bytes = 0;
  private readonly lines: string[] = [];
  private partial = "";

  constructor(private readonly limits: LogTextLimits) {}

  /** The number of the last complete line (0 when none). */
  get total(): number {
    return this.dropped + this.lines.length;
  }

  /** Adds text; a last line without `\n` waits for the rest unless `final`. */
  append(text: string, final = false): void {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    if (final && this.partial !== "") {
      parts.push(this.partial);
      this.partial = "";
    }
    for (const raw of parts) this.push(raw);
    if (this.bytes > this.limits.maxBytes) this.trim();
  }

  /** Lines as stored (cut and marked already): for the disk cache. */
  keptLines(): readonly string[] {
    return this.lines;
  }

  /** Up to `limit` lines numbered after `after`, and at most MAX_SLICE_BYTES of text. */
  after(after: number, limit: number): LogLine[] {
    const out: LogLine[] = [];
    let budget = MAX_SLICE_BYTES;
    if (after < this.dropped && this.dropped > 0 && limit > 0) out.push({ n: this.dropped, text: this.droppedMarker() });
    for (let n = Math.max(after, this.dropped) + 1; n <= this.total && out.length < limit; n++) {
      const text = this.lines[n - this.dropped - 1] ?? "";
      budget -= text.length;
      if (budget < 0 && out.length > 0) break;
      out.push({ n, text });
    }
    return out;
  }

  /** The last `limit` lines. */
  last(limit: number): LogLine[] {
    return this.after(Math.max(this.dropped, this.total - limit), limit);
  }

  droppedMarker(): string {
    return `[buildgate] lines 1-${this.dropped} are not kept: the log is over ${this.limits.maxBytes} bytes, only its end is shown`;
  }

  /** Restores a log saved by `keptLines` (the disk cache). */
  static restore(limits: LogTextLimits, dropped: number, text: string): LogText {
    const t = new LogText(limits);
    t.dropped = dropped;
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const line of lines) t.lines.push(line);
    t.bytes = Buffer.byteLength(text);
    return t;
  }

  private push(raw: string): void {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.length > this.limits.maxLineChars) line = `${line.slice(0, this.limits.maxLineChars)} [buildgate: line cut, ${line.length} characters]`;
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
  }

  private trim(): void {
    const target = this.limits.maxBytes * 0.9;
    let drop = 0;
    let bytes = this.bytes;
    while (bytes > target && drop < this.lines.length - 1) bytes -= Buffer.byteLength(this.lines[drop++] ?? "") + 1;
    this.lines.splice(0, drop);
    this.dropped += drop;
    this.bytes = bytes;
  }
}
