import type { Logger } from "pino";
import type { JobRow } from "../../store/store.js";
import { PermanentJobError } from "../job-errors.js";
import type { JobHandler, JobResult } from "../job-runner.js";
import { describeError } from "./describe-error.js";
import { parsePayload, subjectOf, valueOf } from "./job-payload.js";
import { recordFailure, type FailureDeps } from "./record-failure.js";

export interface RunJobDeps extends FailureDeps {
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly log: Logger;
  /** The job ran to success: mark it done (the completion batcher). */
  readonly finished: (id: number) => Promise<void>;
  /** Told of every run that ended (metrics). */
  readonly onJobFinished?: (kind: string, result: JobResult, seconds: number) => void;
}

/** Runs one claimed job with its handler and records the outcome; never rejects. */
export async function runJob(d: RunJobDeps, job: JobRow): Promise<void> {
  const began = process.hrtime.bigint();
  const payload = parsePayload(job.payload);
  const log = d.log.child({ jobId: job.id, jobKind: job.kind, ...subjectOf(payload) });
  const handler = d.handlers[job.kind];
  let result: JobResult | undefined;
  try {
    if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
    if (job.attempts > job.max_attempts) throw new PermanentJobError(`gave up after ${job.max_attempts} attempts (leases expired)`);
    await handler.run(valueOf(payload), { job, log });
    await d.finished(job.id);
    result = "done";
  } catch (err) {
    result = await recordFailure(d, { job, payload, handler, log }, err).catch((e) => void log.error({ err: describeError(e) }, "could not record job failure"));
  }
  if (result) d.onJobFinished?.(job.kind, result, Number(process.hrtime.bigint() - began) / 1e9);
}
