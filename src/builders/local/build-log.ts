import { createWriteStream, type WriteStream } from "node:fs";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `2026/11/26 10:00:00` in UTC, the timestamp CodeBuild's container log lines carry. */
export function formatLogTime(at: number): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * A build's `build.log`: the commands' output and the runner's own `[Container] …` lines, in the
 * shape of CodeBuild's log so that people (and the board) read both the same way.
 *
 * Command output is capped at `maxBytes`: a build that prints without end must not fill the disk
 * of the gateway. Past the cap, output is dropped after one marker line; the runner's own lines
 * (phase and command headers) are still written, so the log still shows how the build ended.
 */
export class BuildLog {
  private readonly stream: WriteStream;
  private outputBytes = 0;
  private truncated = false;
  private atLineStart = true;
  private closing?: Promise<void>;

  constructor(
    path: string,
    private readonly maxBytes: number,
    private readonly now: () => number,
  ) {
    this.stream = createWriteStream(path, { flags: "a" });
    // A log that cannot be written must not crash the gateway; the build's record still tells the story.
    this.stream.on("error", () => undefined);
  }

  /** Command (or git) output, counted against the cap. */
  output(chunk: Buffer): void {
    if (this.truncated || chunk.length === 0) return;
    const room = this.maxBytes - this.outputBytes;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.outputBytes += part.length;
    this.write(part);
    if (part.length < chunk.length) {
      this.truncated = true;
      this.line(`Output truncated: the build printed more than ${this.maxBytes} bytes; further output is dropped`);
    }
  }

  /** One `[Container] <time> <message>` line, always starting on a line of its own. */
  line(message: string): void {
    if (!this.atLineStart) this.write("\n");
    this.write(`[Container] ${formatLogTime(this.now())} ${message}\n`);
  }

  /** Resolves once everything is on disk; later writes are dropped. Calling it again is harmless. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.once("error", () => resolve());
      this.stream.end(() => resolve());
    });
    return this.closing;
  }

  private write(data: Buffer | string): void {
    if (data.length === 0 || this.closing) return;
    this.stream.write(data);
    const last = typeof data === "string" ? data.charCodeAt(data.length - 1) : data[data.length - 1];
    this.atLineStart = last === 0x0a;
  }
}
