import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { openStore } from "../../../../src/store/open-store.js";
import { STORE_JOBS } from "../../../../src/pipeline/job-kinds.js";
import type { JobQueue, JobRow, NewJob, QueueStats, Store } from "../../../../src/store/store.js";

/**
 * An in-memory JobQueue with the store's rules: a claim takes expired leases first, then due
 * jobs, and counts the attempt; complete, retry, defer and bury change a job only while the
 * worker holds its lease. It records each claim, and `holdClaims()` keeps claims in flight
 * (written, not answered yet).
 */
export class FakeJobQueue implements JobQueue {
  readonly rows = new Map<number, JobRow>();
  readonly claims: Array<{ workerId: string; limit: number; completed: number[] }> = [];
  /** Claims that throw before doing anything (the store unavailable). */
  failClaims = 0;
  private nextId = 1;
  private held: Promise<void> | undefined;

  constructor(private readonly maxAttempts = 3) {}

  /** Claims do their work, then wait to answer until the returned function is called. */
  holdClaims(): () => void {
    let release!: () => void;
    this.held = new Promise((resolve) => (release = resolve));
    return () => {
      this.held = undefined;
      release();
    };
  }

  get(id: number): JobRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no job ${id}`);
    return row;
  }

  async claim(workerId: string, now: number, leaseMs: number, limit: number, completed: readonly number[] = []): Promise<JobRow[]> {
    this.claims.push({ workerId, limit, completed: [...completed] });
    const held = this.held;
    if (this.failClaims > 0) {
      this.failClaims--;
      throw new Error("store unavailable");
    }
    for (const id of completed) this.fenced(id, workerId, { state: "done", lease_until: null, updated_at: now });
    const all = [...this.rows.values()];
    const expired = all.filter((j) => j.state === "running" && (j.lease_until ?? Infinity) < now).sort((a, b) => (a.lease_until ?? 0) - (b.lease_until ?? 0) || a.id - b.id);
    const due = all.filter((j) => j.state === "queued" && j.run_at <= now).sort((a, b) => a.run_at - b.run_at || a.id - b.id);
    const taken = [...expired, ...due].slice(0, Math.max(0, limit));
    for (const j of taken) Object.assign(j, { state: "running", lease_until: now + leaseMs, leased_by: workerId, attempts: j.attempts + 1, updated_at: now });
    const rows = taken.map((j) => ({ ...j }));
    await held; // a claim in flight: its transaction is done, its answer not back yet
    return rows;
  }

  async complete(id: number, workerId: string, now: number): Promise<boolean> {
    return this.fenced(id, workerId, { state: "done", lease_until: null, updated_at: now });
  }

  async retry(id: number, workerId: string, runAt: number, error: string, now: number): Promise<boolean> {
    return this.fenced(id, workerId, { state: "queued", run_at: runAt, lease_until: null, leased_by: null, last_error: error, updated_at: now });
  }

  async defer(id: number, workerId: string, runAt: number, now: number): Promise<boolean> {
    const attempts = this.rows.get(id)?.attempts ?? 0;
    return this.fenced(id, workerId, { state: "queued", run_at: runAt, lease_until: null, leased_by: null, attempts: attempts - 1, updated_at: now });
  }

  async bury(id: number, workerId: string, error: string, now: number): Promise<boolean> {
    return this.fenced(id, workerId, { state: "dead", lease_until: null, last_error: error, updated_at: now });
  }

  async nextWakeAt(): Promise<number | undefined> {
    const times = [...this.rows.values()].flatMap((j) => (j.state === "queued" ? [j.run_at] : j.state === "running" && j.lease_until !== null ? [j.lease_until] : []));
    return times.length ? Math.min(...times) : undefined;
  }

  async enqueue(job: NewJob, now: number): Promise<number> {
    const id = this.nextId++;
    const row: JobRow = { id, kind: job.kind, payload: JSON.stringify(job.payload), state: "queued", attempts: 0, max_attempts: this.maxAttempts, run_at: job.runAt ?? now, lease_until: null, leased_by: null, last_error: null, created_at: now, updated_at: now, dedupe_key: job.dedupeKey ?? null };
    this.rows.set(id, row);
    return id;
  }

  async countByState(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const j of this.rows.values()) counts[j.state] = (counts[j.state] ?? 0) + 1;
    return counts;
  }

  pruneFinished = unused<number>("pruneFinished");
  releaseLeases = unused<number>("releaseLeases");
  queueStats = unused<QueueStats>("queueStats");
  release = unused<number>("release");
  ensure = unused<number | undefined>("ensure");
  deadLetters = unused<JobRow[]>("deadLetters");

  private fenced(id: number, workerId: string, patch: Partial<JobRow>): boolean {
    const row = this.rows.get(id);
    if (!row || row.state !== "running" || row.leased_by !== workerId) return false;
    Object.assign(row, patch);
    return true;
  }
}

const unused =
  <T>(name: string) =>
  (): Promise<T> =>
    Promise.reject(new Error(`${name} is not in the fake queue`));

/** A debug logger whose lines the test can read. */
export function recordingLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), lines };
}

/** Waits (real timers, at most 5 s) until `check` holds, then asserts it. */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await check()).toBe(true);
}

/** Lets every setImmediate and timer queued so far run. */
export const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real SQLite store in a temporary folder (the leases and their fencing as in production). */
export async function tempStore(maxAttempts: number): Promise<{ store: Store; remove: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "buildgate-runner-"));
  const store = await openStore({ url: `sqlite:${join(dir, "bg.db")}`, maxAttempts, jobs: STORE_JOBS });
  return {
    store,
    async remove() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
