import type { AwaitingApprovalPlan } from "../domain/build-plan.js";
import type { NormalizeResult, ProviderId, SourceEvent } from "../domain/source-event.js";
import type { NewJob } from "../store/store.js";
import type { JobHandler } from "./job-runner.js";
import type { Reporter } from "./reporter.js";

/** Jobs a host runs for itself (GitHub's redelivery sweep): handlers by kind, and the self-rescheduling singletons to keep alive. */
export interface HostJobs {
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly singletons: readonly NewJob[];
}

/**
 * One source host (GitHub, CodeCommit): all the pipeline needs to know of it. The pipeline never
 * branches on a host's name; it asks the host that owns a delivery's source or a build's provider.
 * Adding a host is one folder under `providers/` that builds one of these, and one line in the
 * composition root.
 */
export interface SourceHost {
  /** The provider its events and builds carry (`SourceEvent.provider`, `builds.provider`). */
  readonly provider: ProviderId;
  /** The inbox sources (the intakes' names) whose deliveries it turns into events. */
  readonly sources: readonly string[];
  /** A stored delivery's parsed body → events, a command, a tracking hint, or a reason to ignore it. Pure; never throws on bad input. */
  normalize(event: string, payload: unknown, deliveryId: string): NormalizeResult;
  /** Resolves what the payload alone cannot tell (comment commands, changed files) through the host's API; throws the host's API errors. */
  enrich(result: NormalizeResult): Promise<NormalizeResult>;
  /** Where results are shown; undefined when the host's API is not configured. */
  readonly reporter?: Reporter;
  /** The host's API errors as job errors (RetryLaterError, PermanentJobError); anything else is returned as it is. */
  jobError(err: unknown, attempt: number, now: number): unknown;
  readonly jobs?: HostJobs;
  /**
   * The job that shows a pull request waiting for approval (a GitHub check run asking for
   * action), written with the routing; undefined when the host shows nothing for it.
   */
  awaitingApproval?(event: SourceEvent, plan: AwaitingApprovalPlan, reason: string): NewJob | undefined;
}

/** The configured hosts, found by a delivery's source or a build's provider. */
export interface SourceHosts {
  readonly all: readonly SourceHost[];
  forSource(source: string): SourceHost | undefined;
  forProvider(provider: string): SourceHost | undefined;
}

/** Indexes hosts by source and provider; two hosts claiming one source or provider is a wiring error. */
export function createSourceHosts(hosts: readonly SourceHost[]): SourceHosts {
  const bySource = new Map<string, SourceHost>();
  const byProvider = new Map<string, SourceHost>();
  const claim = (map: Map<string, SourceHost>, key: string, host: SourceHost) => {
    if (map.has(key)) throw new Error(`two source hosts claim ${key}`);
    map.set(key, host);
  };
  for (const host of hosts) {
    claim(byProvider, host.provider, host);
    for (const source of host.sources) claim(bySource, source, host);
  }
  return { all: hosts, forSource: (s) => bySource.get(s), forProvider: (p) => byProvider.get(p) };
}
