import type { BuildSnapshot } from "../../src/domain/build-snapshot.js";
import { BuilderError, type Builder, type PollResult, type StartRequest } from "../../src/domain/builder.js";

/**
 * A Builder that records every call and keeps a snapshot per started build; tests move builds
 * along with `advance`. `failWith` queues errors for the next starts.
 */
export class RecordingBuilder implements Builder {
  readonly maxPollBatch = 100;
  readonly starts: StartRequest[] = [];
  readonly polls: string[][] = [];
  readonly stops: string[] = [];
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

  async stop(id: string): Promise<void> {
    this.stops.push(id);
    this.advance(id, { status: "STOPPED" });
  }
}

export const throttled = () => new BuilderError("ThrottlingException: Rate exceeded", true);
export const unknownProject = () => new BuilderError("ResourceNotFoundException: project not found", false);
