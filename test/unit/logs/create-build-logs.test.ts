import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BuildLogs } from "../../../src/domain/build-logs.js";
import type { BuildState } from "../../../src/domain/build-state.js";
import { LogSourceError, type LogRead, type LogSource } from "../../../src/domain/log-source.js";
import { createBuildLogs } from "../../../src/logs/create-build-logs.js";
import { createLogCache } from "../../../src/logs/log-cache.js";
import type { BuildRow } from "../../../src/store/store.js";

const limits = { maxBytes: 10 * 1024 * 1024, maxLineChars: 10_000 };

/** A source that serves `pages` one per read (cursor = page index), counting reads; `fail` makes the next reads throw. */
class FakeSource implements LogSource {
  readonly settleMs = 0;
  reads = 0;
  fail: LogSourceError | Error | undefined;
  constructor(readonly pages: string[]) {}
  async read(_id: string, cursor: string | undefined): Promise<LogRead> {
    this.reads++;
    await new Promise((r) => setImmediate(r));
    if (this.fail) throw this.fail;
    const i = cursor ? Number(cursor) : 0;
    const text = this.pages[i] ?? "";
    const next = i < this.pages.length ? i + 1 : i;
    return { text, cursor: String(next), more: next < this.pages.length };
  }
}

describe("createBuildLogs: one shared tail per build, finished logs kept", () => {
  let dir: string;
  let clock: number;
  let builds: Map<number, Partial<BuildRow>>;
  let source: FakeSource;
  let logs: BuildLogs;

  const make = () =>
    createBuildLogs({
      store: { getBuild: async (id) => builds.get(id) as BuildRow | undefined },
      sourceFor: (externalId) => (externalId.startsWith("fake:") ? source : undefined),
      cache: createLogCache(dir, limits, 100 * 1024 * 1024),
      limits,
      pollMs: 2000,
      idleMs: 60_000,
      backoffBaseMs: 1000,
      backoffCapMs: 8000,
      now: () => clock,
      random: () => 1,
    });
  const build = (id: number, state: BuildState, over: Partial<BuildRow> = {}) => builds.set(id, { id, state, external_id: `fake:${id}`, ended_at: state === "running" ? null : clock - 60_000, ...over });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bg-logs-"));
    clock = 1_000_000;
    builds = new Map();
    source = new FakeSource(["line 1\nline 2\n", "line 3\n", "line 4\n"]);
    logs = make();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("20 concurrent reads of a running build make one upstream read; the next comes 2 s later", async () => {
    build(1, "running");
    const slices = await Promise.all(Array.from({ length: 20 }, () => logs.after(1, 0, 100)));
    expect(source.reads).toBe(1);
    for (const s of slices) expect(s).toEqual({ lines: [{ n: 1, text: "line 1" }, { n: 2, text: "line 2" }], total: 2, complete: false });
    clock += 1999;
    await Promise.all(Array.from({ length: 20 }, () => logs.after(1, 2, 100)));
    expect(source.reads).toBe(1);
    clock += 1;
    const next = await logs.after(1, 2, 100);
    expect(source.reads).toBe(2);
    expect(next.lines).toEqual([{ n: 3, text: "line 3" }]);
  });

  it("throttling answers the lines known so far with a delayed notice and backs off exponentially", async () => {
    build(1, "running");
    await logs.after(1, 0, 100);
    source.fail = new LogSourceError("delayed", "log delayed: CloudWatch Logs is throttling; retrying");
    clock += 2000;
    const delayed = await logs.after(1, 0, 100);
    expect(delayed.notice).toEqual({ kind: "delayed", message: "log delayed: CloudWatch Logs is throttling; retrying" });
    expect(delayed.lines.map((l) => l.text)).toEqual(["line 1", "line 2"]);
    expect(source.reads).toBe(2);
    clock += 999; // backoff 1 s after the first failure (random 1: the whole wait)
    await logs.after(1, 0, 100);
    expect(source.reads).toBe(2);
    clock += 1;
    await logs.after(1, 0, 100);
    expect(source.reads).toBe(3);
    clock += 1999; // second failure: 2 s
    await logs.after(1, 0, 100);
    expect(source.reads).toBe(3);
    source.fail = undefined;
    clock += 1;
    const back = await logs.after(1, 0, 100);
    expect(back.notice).toBeUndefined();
    expect(back.total).toBe(3);
  });

  it("an error that is not a LogSourceError reads as delayed, never as a throw", async () => {
    build(1, "running");
    source.fail = new Error("socket hang up");
    const s = await logs.after(1, 0, 100);
    expect(s.notice?.kind).toBe("delayed");
    expect(s.lines).toEqual([]);
  });

  it("a permission error is unavailable, with the reason", async () => {
    build(1, "failed");
    source.fail = new LogSourceError("unavailable", "buildgate may not read this log: AccessDeniedException");
    const s = await logs.last(1, 10);
    expect(s).toEqual({ lines: [], total: 0, complete: false, notice: { kind: "unavailable", message: "buildgate may not read this log: AccessDeniedException" } });
    await logs.last(1, 10);
    expect(source.reads).toBe(1);
  });

  it("a finished build's log is read to its end once and kept: later reads, in this process or the next, make no call", async () => {
    build(1, "failed");
    const first = await logs.last(1, 2);
    expect(first).toEqual({ lines: [{ n: 3, text: "line 3" }, { n: 4, text: "line 4" }], total: 4, complete: true });
    expect(source.reads).toBe(3);
    await logs.after(1, 0, 10);
    const again = make(); // a restart: memory is empty, the disk cache is not
    expect((await again.after(1, 1, 2)).lines).toEqual([{ n: 2, text: "line 2" }, { n: 3, text: "line 3" }]);
    expect(source.reads).toBe(3);
    const raw = await again.raw(1);
    let text = "";
    for await (const chunk of raw ?? []) text += chunk.toString();
    expect(text).toBe("line 1\nline 2\nline 3\nline 4\n");
  });

  it("a running tail becomes the finished log from where it was, not from the start", async () => {
    build(1, "running");
    await logs.after(1, 0, 10);
    build(1, "succeeded");
    const s = await logs.after(1, 0, 10);
    expect(s.complete).toBe(true);
    expect(s.total).toBe(4);
    expect(source.reads).toBe(3);
  });

  it("a build not started has no log yet; one that never ran says so", async () => {
    builds.set(1, { id: 1, state: "queued", external_id: null });
    builds.set(2, { id: 2, state: "skipped", external_id: null });
    expect(await logs.after(1, 0, 10)).toEqual({ lines: [], total: 0, complete: false, notice: { kind: "unavailable", message: "no log yet: the build has not started" } });
    expect(await logs.after(2, 0, 10)).toEqual({ lines: [], total: 0, complete: true, notice: { kind: "unavailable", message: "this build never ran, so it has no log" } });
    expect(await logs.raw(1)).toBeUndefined();
    expect(source.reads).toBe(0);
  });

  it("drops a tail nobody read for a while (the next viewer starts a new one)", async () => {
    build(1, "running");
    await logs.after(1, 0, 10);
    clock += 2000;
    await logs.after(1, 0, 10);
    expect(source.reads).toBe(2);
    clock += 61_000;
    await logs.after(2, 0, 10); // any read sweeps
    const s = await logs.after(1, 0, 10);
    expect(source.reads).toBe(3);
    expect(s.total).toBe(2); // read from the start again
  });

  it("a build whose builder has no log source here is unavailable", async () => {
    builds.set(1, { id: 1, state: "running", external_id: "arn:other" });
    expect((await logs.after(1, 0, 10)).notice?.message).toBe("this build's builder has no log source here");
  });
});
