import type { NewJob } from "../store/store.js";
import type { SourceHosts } from "./source-host.js";
import { sweeperJob } from "./sweep-stuck.js";

/** The self-rescheduling recovery jobs: the stuck-build sweep and each host's own (GitHub redelivery when configured); kept alive with the tracker. */
export function recoveryJobs(hosts: Pick<SourceHosts, "all">): NewJob[] {
  return [sweeperJob(), ...hosts.all.flatMap((h) => h.jobs?.singletons ?? [])];
}
