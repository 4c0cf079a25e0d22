import type { BuildSnapshot } from "../../src/domain/build-snapshot.js";
import { BuilderError, type Builder, type PollResult, type StartedBuild, type StartRequest } from "../../src/domain/builder.js";

/**
 * A Builder that records every call and keeps a snapshot per started build; tests move builds
 * along with `advance`. `failWith` queues errors for the next starts.
 */
export class RecordingBuilder implements Builder {
  readonly maxPollBatch = 100;
  readonly starts: StartRequest[] = [];
  readonly polls: string[][] = [];
  readonly stops: string[] = [];
  /** Every findByKey call. */
  readonly finds: Array<{ project: string; key: string; since: number; route: string | undefined }> = [];
  /** The builds started, by id: their request and when (for findByKey). */
  private readonly started = new Map<string, { request: StartRequest; at: number }>();
  readonly snapshots = new Map<string, BuildSnapshot>();
  private readonly failures: BuilderError[] = [];

  failWith(...errors: BuilderError[]): this {
    this.failures.push(...errors);
    return this;
  }

  async start(request: StartRequest) {
    this.starts.push(request);
    const failure = this.failures.shift();
    if (failure) throw failure;
    const buildId = `${request.project}:${this.starts.length}`;
    this.started.set(buildId, { request, at: Date.now() });
    this.snapshots.set(buildId, { externalId: buildId, status: "IN_PROGRESS", currentPhase: "SUBMITTED", phases: [], startedAt: Date.now() });
    return { buildId, logsUrl: `https://logs.example/${this.starts.length}` };
  }

  /** Replaces part of a build's snapshot (status, currentPhase, phases, endedAt, …). */
  advance(buildId: string, change: Partial<BuildSnapshot>): void {
    const snap = this.snapshots.get(buildId);
    if (!snap) throw new Error(`no build ${buildId}`);
    this.snapshots.set(buildId, { ...snap, ...change });
  }

  async poll(ids: readonly string[]): Promise<PollResult> {
    this.polls.push([...ids]);
    return { snapshots: ids.flatMap((id) => this.snapshots.get(id) ?? []), notFound: ids.filter((id) => !this.snapshots.has(id)) };
  }

  /** The newest started build of `project` whose env has BUILDGATE_BUILD_KEY=key, started at or after `since`. */
  async findByKey(project: string, key: string, since: number, route?: string): Promise<StartedBuild | undefined> {
    this.finds.push({ project, key, since, route });
    const match = [...this.started].reverse().find(([, s]) => s.request.project === project && s.request.env.BUILDGATE_BUILD_KEY === key && s.at >= since);
    return match && { buildId: match[0] };
  }

  async stop(id: string): Promise<void> {
    this.stops.push(id);
    this.advance(id, { status: "STOPPED" });
  }
}

export const throttled = () => new BuilderError("ThrottlingException: Rate exceeded", true);
export const unknownProject = () => new BuilderError("ResourceNotFoundException: project not found", false);
