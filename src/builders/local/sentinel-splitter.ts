/** What the shell's output stream carries: the commands' own output, or the end of one command. */
export type ShellEvent = { readonly kind: "output"; readonly data: Buffer } | { readonly kind: "done"; readonly seq: number; readonly exitCode: number };

const TAIL = /^(\d+):(\d+)$/;

/**
 * Splits the shell's stdout into command output and "command N ended with status S" markers.
 *
 * The marker travels on the same pipe as the output so that everything a command printed is
 * in the log before the runner writes the next header: a separate status pipe would race the
 * output pipe. The marker carries a random nonce the build never sees, so output cannot fake it.
 * Bytes that may be the start of a marker are held back until the next chunk decides.
 */
export class SentinelSplitter {
  private readonly marker: Buffer;
  private pending: Buffer = Buffer.alloc(0);

  constructor(marker: string) {
    this.marker = Buffer.from(marker, "latin1");
  }

  /** Feeds one chunk; returns the events it completes, in order. */
  push(chunk: Buffer): ShellEvent[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: ShellEvent[] = [];
    for (;;) {
      const at = this.pending.indexOf(this.marker);
      if (at === -1) {
        this.emitAllButPrefix(events);
        return events;
      }
      const eol = this.pending.indexOf(0x0a, at + this.marker.length);
      if (eol === -1) {
        this.emit(events, at);
        return events;
      }
      const match = TAIL.exec(this.pending.subarray(at + this.marker.length, eol).toString("latin1"));
      if (!match) {
        // Not ours after all (cannot happen without the nonce): pass the marker bytes through as output.
        this.emit(events, at + this.marker.length);
        continue;
      }
      this.emit(events, at);
      events.push({ kind: "done", seq: Number(match[1]), exitCode: Number(match[2]) });
      this.pending = this.pending.subarray(eol + 1 - at);
    }
  }

  /** Everything still held back, as output (the stream ended). */
  flush(): ShellEvent[] {
    const events: ShellEvent[] = [];
    this.emit(events, this.pending.length);
    return events;
  }

  /** Emits the first `length` pending bytes as output. */
  private emit(events: ShellEvent[], length: number): void {
    if (length > 0) events.push({ kind: "output", data: Buffer.from(this.pending.subarray(0, length)) });
    this.pending = this.pending.subarray(length);
  }

  /** Emits everything except a tail that could be the beginning of the marker. */
  private emitAllButPrefix(events: ShellEvent[]): void {
    const max = Math.min(this.pending.length, this.marker.length - 1);
    let keep = 0;
    for (let k = max; k > 0; k--) {
      if (this.pending.subarray(this.pending.length - k).equals(this.marker.subarray(0, k))) {
        keep = k;
        break;
      }
    }
    this.emit(events, this.pending.length - keep);
  }
}
