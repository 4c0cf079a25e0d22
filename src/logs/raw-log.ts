import type { Readable } from "node:stream";
import type { LogText } from "./log-text.js";

/** Lines per chunk when a log is sent from memory. */
const CHUNK_LINES = 2000;

/**
 * A log as text for a download: the marker of dropped lines first (when the log was cut), then
 * the cached file as it streams, or the lines in memory (a running build) in chunks.
 */
export async function* rawLog(text: LogText, file: Readable | undefined): AsyncIterable<string | Buffer> {
  if (text.dropped > 0) yield `${text.droppedMarker()}\n`;
  if (file) {
    yield* file;
    return;
  }
  const lines = text.keptLines();
  for (let i = 0; i < lines.length; i += CHUNK_LINES) yield `${lines.slice(i, i + CHUNK_LINES).join("\n")}\n`;
}
