import type { NewJob } from "./store.js";

/**
 * The jobs the store writes inside its own transactions (a delivery's processing, a routed or
 * rebuilt build's start and report, a superseded build's stop). Job kinds belong to pipeline/,
 * which makes these (`pipeline/job-kinds.ts`); the store only places them.
 */
export interface StoreJobs {
  processDelivery(deliveryRowId: number): NewJob;
  startBuild(buildId: number): NewJob;
  reportStatus(buildId: number): NewJob;
  /** A superseded build's stop. */
  stopBuild(buildId: number): NewJob;
  /** An operator's stop: at most one queued per build. */
  requestStop(buildId: number): NewJob;
  /** The kind of `startBuild` jobs: the stuck-build sweep asks whether one is queued or running. */
  readonly startBuildKind: string;
}
