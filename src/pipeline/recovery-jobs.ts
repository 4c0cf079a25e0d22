import type { Config } from "../config/config.js";
import type { NewJob } from "../store/store.js";
import { redeliveryJob } from "./redeliver-github.js";
import { sweeperJob } from "./sweep-stuck.js";

/** The self-rescheduling recovery jobs the config asks for; main ensures them with the tracker. */
export function recoveryJobs(config: Config): NewJob[] {
  return [sweeperJob(), ...(config.github?.redelivery?.enabled ? [redeliveryJob()] : [])];
}
