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
