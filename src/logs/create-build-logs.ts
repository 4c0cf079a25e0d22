import type { Logger } from "pino";
import { computeBackoff } from "../domain/backoff.js";
import type { BuildLogs, LogNotice, LogSlice } from "../domain/build-logs.js";
import { isFinal } from "../domain/build-state.js";
import { LogSourceError, type LogSource } from "../domain/log-source.js";
import type { Store } from "../store/store.js";
import type { LogCache } from "./log-cache.js";
import { LogText, type LogTextLimits } from "./log-text.js";
import { rawLog } from "./raw-log.js";

export interface BuildLogsOptions {
  readonly store: Pick<Store, "getBuild">;
  /** The log source of a builder's build id (`local:…` → the local runner's file, else CloudWatch Logs). */
  readonly sourceFor: (externalId: string) => LogSource | undefined;
  readonly cache: LogCache;
  readonly limits: LogTextLimits;
  /** At most one upstream read per running build this often (shared by every viewer). Default 2 s. */
  readonly pollMs?: number;
  /** A running build's tail nobody read for this long is dropped. Default 60 s. */
  readonly idleMs?: number;
  /** How long a read waits for the fetch it started or joined before answering what is known. Default 1.5 s. */
  readonly waitMs?: number;
  /** How long a read of a finished build waits for its whole log to be fetched. Default 10 s. */
  readonly finishWaitMs?: number;
  /** Backoff after a delayed read: exponential with jitter, from `backoffBaseMs` up to `backoffCapMs`. Defaults 2 s, 60 s. */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** Finished logs kept in memory (besides the disk cache), oldest read first out. Default 64 MB. */
  readonly memoryBytes?: number;
  /** Upstream reads for one finished log at most (a CloudWatch page is up to 10,000 lines). Default 1,000. */
  readonly maxFinishReads?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly log?: Pick<Logger, "warn">;
}

/** One build's log as this process knows it: a running build's shared tail, or a finished log. */
interface Entry {
  readonly externalId: string;
  text: LogText;
  cursor: string | undefined;
  complete: boolean;
  notice?: LogNotice;
  nextFetchAt: number;
  failures: number;
  inflight?: Promise<void>;
  lastReadAt: number;
}

// A log that cannot be shown is asked again this rarely (a fixed permission, say).
const UNAVAILABLE_RECHECK_MS = 5 * 60_000;
/** No log to read (yet): why, and whether that is final. */
interface NoLog {
  readonly notice: LogNotice;
  readonly complete: boolean;
}
const noLog = (message: string, complete: boolean): NoLog => ({ notice: { kind: "unavailable", message }, complete });

/**
 * The board's build logs: per build one entry shared by every viewer. A running build's reads
 * answer from memory and start at most one upstream read per `pollMs`; concurrent reads join the
 * read in flight. A finished build's log is read to its end once, written to the disk cache and
 * answered from there (and memory) ever after. Failures never throw: the lines known so far come
 * back with a `delayed` (retrying with backoff) or `unavailable` notice.
 */
export function createBuildLogs(o: BuildLogsOptions): BuildLogs {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const pollMs = o.pollMs ?? 2000;
  const idleMs = o.idleMs ?? 60_000;
  const memoryBytes = o.memoryBytes ?? 64 * 1024 * 1024;
  const entries = new Map<number, Entry>();
  let lastSweep = 0;

  const newEntry = (externalId: string, text = new LogText(o.limits), complete = false): Entry => ({ externalId, text, cursor: undefined, complete, nextFetchAt: 0, failures: 0, lastReadAt: now() });

  /** Drops idle tails, and finished logs past the memory budget (least recently read first). */
  const sweep = () => {
    const t = now();
    if (t - lastSweep < 1000) return;
    lastSweep = t;
    let bytes = 0;
    for (const [id, e] of [...entries].reverse()) {
      if (e.inflight) continue;
      if (!e.complete && t - e.lastReadAt > idleMs) entries.delete(id);
      else if (e.complete && (bytes += e.text.bytes) > memoryBytes) entries.delete(id);
    }
  };

  const fail = (e: Entry, err: unknown) => {
    if (err instanceof LogSourceError && err.kind === "unavailable") {
      e.notice = { kind: "unavailable", message: err.message };
      e.nextFetchAt = now() + UNAVAILABLE_RECHECK_MS;
      return;
    }
    if (!(err instanceof LogSourceError)) o.log?.warn({ err, externalId: e.externalId }, "reading a build log failed");
    e.failures++;
    e.notice = { kind: "delayed", message: err instanceof LogSourceError ? err.message : "log delayed: the log could not be read; retrying" };
    e.nextFetchAt = now() + computeBackoff(e.failures, random(), o.backoffBaseMs ?? 2000, o.backoffCapMs ?? 60_000);
  };

  const fetchTail = async (e: Entry, source: LogSource) => {
    try {
      const r = await source.read(e.externalId, e.cursor, { final: false });
      e.text.append(r.text);
      e.cursor = r.cursor;
      e.failures = 0;
      delete e.notice;
      e.nextFetchAt = now() + pollMs;
    } catch (err) {
      fail(e, err);
    }
  };

  const fetchToEnd = async (buildId: number, e: Entry, source: LogSource) => {
    try {
      for (let reads = 0; reads < (o.maxFinishReads ?? 1000); reads++) {
        const r = await source.read(e.externalId, e.cursor, { final: true });
        e.text.append(r.text);
        e.cursor = r.cursor;
        if (!r.more) break;
      }
      e.text.append("", true);
      e.complete = true;
      delete e.notice;
      await o.cache.put(buildId, e.externalId, e.text).catch((err: unknown) => o.log?.warn({ err, buildId }, "could not cache a finished build log; it stays in memory"));
    } catch (err) {
      fail(e, err);
    }
  };

  const waitAtMost = (p: Promise<void>, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void p.finally(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  /** The entry of a build, advanced as far as the rate allows, or why there is no log. */
  const entryFor = async (buildId: number): Promise<Entry | NoLog> => {
    sweep();
    const held = entries.get(buildId);
    if (held?.complete) {
      entries.delete(buildId);
      entries.set(buildId, held);
      return held;
    }
    const build = await o.store.getBuild(buildId);
    if (!build) return noLog("no such build", true);
    const final = isFinal(build.state);
    if (!build.external_id) return final ? noLog("this build never ran, so it has no log", true) : noLog("no log yet: the build has not started", false);
    const source = o.sourceFor(build.external_id);
    if (!source) return noLog("this build's builder has no log source here", true);
    const ended = final && (build.ended_at === null || now() - build.ended_at >= source.settleMs);
    // Read again after the await: a concurrent read may have made the entry meanwhile.
    const current = entries.get(buildId);
    if (current?.complete) return current;
    let e = current?.externalId === build.external_id ? current : undefined;
    if (!e && ended) {
      const cached = await o.cache.get(buildId, build.external_id);
      if (cached) {
        e = newEntry(build.external_id, cached, true);
        entries.set(buildId, e);
        return e;
      }
    }
    if (!e) {
      e = newEntry(build.external_id);
      entries.set(buildId, e);
    }
    e.lastReadAt = now();
    // A tail's poll interval does not hold back its end: the last read follows the build's end at once.
    const due = now() >= e.nextFetchAt || (ended && e.failures === 0 && e.notice === undefined);
    if (!e.inflight && due) {
      const entry = e;
      e.inflight = (ended ? fetchToEnd(buildId, e, source) : fetchTail(e, source)).finally(() => delete entry.inflight);
    }
    if (e.inflight) await waitAtMost(e.inflight, ended ? (o.finishWaitMs ?? 10_000) : (o.waitMs ?? 1500));
    return e;
  };

  const slice = (e: Entry | NoLog, lines: (t: LogText) => LogSlice["lines"]): LogSlice => {
    if (!("text" in e)) return { lines: [], total: 0, complete: e.complete, notice: e.notice };
    return { lines: lines(e.text), total: e.text.total, complete: e.complete, ...(e.notice ? { notice: e.notice } : {}) };
  };

  return {
    async after(buildId, after, limit) {
      return slice(await entryFor(buildId), (t) => t.after(after, limit));
    },
    async last(buildId, limit) {
      return slice(await entryFor(buildId), (t) => t.last(limit));
    },
    async raw(buildId) {
      const e = await entryFor(buildId);
      if (!("text" in e)) return undefined;
      const file = e.complete ? await o.cache.stream(buildId, e.externalId) : undefined;
      return rawLog(e.text, file);
    },
  };
}
