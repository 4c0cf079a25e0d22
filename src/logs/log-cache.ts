import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { LogText, type LogTextLimits } from "./log-text.js";

/** What a cached log's sidecar says (written after its text: a log without one is not cached). */
interface CacheMeta {
  readonly externalId: string;
  readonly dropped: number;
  readonly bytes: number;
}

/**
 * Finished builds' logs on disk, one `<build id>-<hash of the builder's id>.log` each (the hash:
 * a reset store reusing build ids never gets another build's log). Written once, read on every
 * later view; the oldest files go when the folder passes `maxTotalBytes`.
 */
export interface LogCache {
  get(buildId: number, externalId: string): Promise<LogText | undefined>;
  put(buildId: number, externalId: string, log: LogText): Promise<void>;
  /** The cached text as a stream, or undefined when it is not cached. */
  stream(buildId: number, externalId: string): Promise<Readable | undefined>;
}

export function createLogCache(dir: string, limits: LogTextLimits, maxTotalBytes: number): LogCache {
  const base = (buildId: number, externalId: string) => join(dir, `${buildId}-${createHash("sha256").update(externalId).digest("hex").slice(0, 16)}`);
  const meta = async (path: string, externalId: string): Promise<CacheMeta | undefined> => {
    try {
      const m = JSON.parse(await readFile(`${path}.json`, "utf8")) as CacheMeta;
      return m.externalId === externalId ? m : undefined;
    } catch {
      return undefined;
    }
  };
  let evicting: Promise<void> | undefined;
  const evict = async () => {
    const names = (await readdir(dir)).filter((n) => n.endsWith(".log"));
    const files = await Promise.all(names.map(async (n) => ({ n, s: await stat(join(dir, n)).catch(() => undefined) })));
    const known = files.filter((f) => f.s !== undefined).map((f) => ({ n: f.n, size: f.s?.size ?? 0, at: f.s?.mtimeMs ?? 0 }));
    let total = known.reduce((sum, f) => sum + f.size, 0);
    for (const f of known.sort((a, b) => a.at - b.at)) {
      if (total <= maxTotalBytes) break;
      const stem = join(dir, f.n.slice(0, -".log".length));
      await unlink(`${stem}.json`).catch(() => undefined);
      await unlink(`${stem}.log`).catch(() => undefined);
      total -= f.size;
    }
  };
  return {
    async get(buildId, externalId) {
      const path = base(buildId, externalId);
      const m = await meta(path, externalId);
      if (!m) return undefined;
      try {
        const text = await readFile(`${path}.log`, "utf8");
        // Reading counts as use: the eviction keeps the logs people look at.
        const now = new Date();
        await utimes(`${path}.log`, now, now).catch(() => undefined);
        return LogText.restore(limits, m.dropped, text);
      } catch {
        return undefined;
      }
    },
    async put(buildId, externalId, log) {
      await mkdir(dir, { recursive: true });
      const path = base(buildId, externalId);
      const lines = log.keptLines();
      const text = lines.length > 0 ? `${lines.join("\n")}\n` : "";
      await writeFile(`${path}.log.tmp`, text);
      await rename(`${path}.log.tmp`, `${path}.log`);
      const m: CacheMeta = { externalId, dropped: log.dropped, bytes: Buffer.byteLength(text) };
      await writeFile(`${path}.json.tmp`, JSON.stringify(m));
      await rename(`${path}.json.tmp`, `${path}.json`);
      evicting ??= evict().finally(() => (evicting = undefined));
      await evicting;
    },
    async stream(buildId, externalId) {
      const path = base(buildId, externalId);
      if (!(await meta(path, externalId))) return undefined;
      return createReadStream(`${path}.log`);
    },
  };
}
