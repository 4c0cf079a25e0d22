import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { BuildLogs, LogSlice } from "../domain/build-logs.js";
import { isFinal } from "../domain/build-state.js";
import { linesAfter, logLines } from "../domain/slice-log.js";
import type { Store } from "../store/store.js";

/** A log file bigger than this is offered as a download only (the local runner caps output well below it). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

const unavailable = (message: string, complete = true): LogSlice => ({ lines: [], total: 0, complete, notice: { kind: "unavailable", message } });

export interface BuildLogsDeps {
  readonly store: Pick<Store, "getBuild">;
  /** The local runner's log file of a build id (undefined: not a local build, or no local runner). */
  readonly localLogFile?: (externalId: string) => string | undefined;
}

/**
 * Build logs as this version reads them: the local runner's from its file (read per request;
 * the file is local and capped), CodeBuild's not yet (CloudWatch Logs is the next step: the
 * answer says so instead of failing).
 */
export function createBuildLogs(d: BuildLogsDeps): BuildLogs {
  async function source(buildId: number): Promise<{ file: string; complete: boolean } | LogSlice> {
    const build = await d.store.getBuild(buildId);
    if (!build) return unavailable("no such build");
    if (!build.external_id) return unavailable("no log yet: the build has not started", isFinal(build.state));
    const file = d.localLogFile?.(build.external_id);
    if (!file) return unavailable("this version does not read CodeBuild logs yet: open the build's CloudWatch link");
    return { file, complete: isFinal(build.state) };
  }

  async function lines(buildId: number): Promise<{ lines: string[]; complete: boolean } | LogSlice> {
    const s = await source(buildId);
    if (!("file" in s)) return s;
    try {
      if ((await stat(s.file)).size > MAX_READ_BYTES) return unavailable(`the log is larger than ${MAX_READ_BYTES} bytes: download it instead`, s.complete);
      return { lines: logLines(await readFile(s.file, "utf8")), complete: s.complete };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return unavailable("no log yet", s.complete);
      throw err;
    }
  }

  return {
    async after(buildId, after, limit) {
      const l = await lines(buildId);
      if ("total" in l) return l;
      return { lines: linesAfter(l.lines, after, limit), total: l.lines.length, complete: l.complete };
    },
    async last(buildId, limit) {
      const l = await lines(buildId);
      if ("total" in l) return l;
      return { lines: linesAfter(l.lines, Math.max(0, l.lines.length - limit), limit), total: l.lines.length, complete: l.complete };
    },
    async raw(buildId) {
      const s = await source(buildId);
      if (!("file" in s)) return undefined;
      try {
        await stat(s.file);
      } catch {
        return undefined;
      }
      return createReadStream(s.file);
    },
  };
}
