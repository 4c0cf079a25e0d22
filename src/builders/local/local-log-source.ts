import { open } from "node:fs/promises";
import { LogSourceError, type LogRead, type LogSource } from "../../domain/log-source.js";
import { localBuildPaths } from "./record-files.js";

/** Bytes read per call: a page of a big log, not the whole file at once. */
const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * The local runner's `build.log`, read by byte offset (the cursor). While the build runs, a read
 * stops after the last complete line (`\n` never occurs inside a UTF-8 sequence, so the text
 * never ends in half a character); once it has ended, the rest is the log's end.
 */
export function createLocalLogSource(workDir: string, chunkBytes = CHUNK): LogSource {
  return {
    settleMs: 0,
    async read(externalId: string, cursor: string | undefined, o: { readonly final: boolean }): Promise<LogRead> {
      const paths = localBuildPaths(workDir, externalId);
      if (!paths) throw new LogSourceError("unavailable", "not a local build id");
      const offset = cursor ? Number(cursor) : 0;
      let handle;
      try {
        handle = await open(paths.log, "r");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new LogSourceError("delayed", "the build's log file could not be read; retrying");
        if (o.final && offset === 0) throw new LogSourceError("unavailable", "the build's log file is gone (its work folder was removed)");
        return { text: "", cursor, more: false };
      }
      try {
        const { size } = await handle.stat();
        const want = Math.min(chunkBytes, Math.max(0, size - offset));
        const buf = Buffer.alloc(want);
        const { bytesRead } = want > 0 ? await handle.read(buf, 0, want, offset) : { bytesRead: 0 };
        let used = bytesRead;
        const atEnd = offset + bytesRead >= size;
        if (!(o.final && atEnd)) {
          const lastNewline = buf.lastIndexOf(NEWLINE, bytesRead - 1);
          // A line longer than a whole chunk is passed on in pieces rather than never.
          if (lastNewline >= 0) used = lastNewline + 1;
          else if (bytesRead < chunkBytes) used = 0;
        }
        return { text: buf.subarray(0, used).toString("utf8"), cursor: String(offset + used), more: offset + used < size && used > 0 };
      } finally {
        await handle.close();
      }
    },
  };
}
