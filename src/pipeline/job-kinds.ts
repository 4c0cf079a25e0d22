import type { NewJob } from "../store/store.js";
import type { StoreJobs } from "../store/store-jobs.js";

/** The kinds of durable jobs; each has one handler in pipeline/. */
export const JOB = {
  processDelivery: "process_delivery",
  startBuild: "start_build",
  reportStatus: "report_status",
  stopBuild: "stop_build",
  trackBuilds: "track_builds",
  pollBuilds: "poll_builds",
  sweepStuck: "sweep_stuck",
  redeliverGithub: "redeliver_github",
} as const;

/** A status report job for a build: at most one queued per build. */
export const reportJob = (buildId: number) => ({ kind: JOB.reportStatus, payload: { buildId }, dedupeKey: `report:${buildId}` });

/** A stop job for a build (a superseded one, or one an operator stops). */
export const stopJob = (buildId: number): NewJob => ({ kind: JOB.stopBuild, payload: { buildId } });

/** The jobs the store writes inside its own transactions: the store knows no job kinds. */
export const STORE_JOBS: StoreJobs = {
  processDelivery: (deliveryRowId) => ({ kind: JOB.processDelivery, payload: { deliveryRowId } }),
  startBuild: (buildId) => ({ kind: JOB.startBuild, payload: { buildId } }),
  reportStatus: reportJob,
  stopBuild: stopJob,
  requestStop: (buildId) => ({ ...stopJob(buildId), dedupeKey: `stop:${buildId}` }),
  startBuildKind: JOB.startBuild,
};
