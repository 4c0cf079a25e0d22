import type { Server } from "node:http";
import type { Logger } from "pino";
import type { JobRunner } from "../pipeline/job-runner.js";
import type { JobQueue } from "../store/store.js";
import type { DrainState } from "../web/drain-state.js";

/** The server's requests in flight. */
export interface InFlightRequests {
  readonly active: () => number;
  /** Resolves once no request is in flight, or after `ms`. */
  idle(ms: number): Promise<void>;
}

/** Counts `server`'s requests from arrival until their response is sent or their connection drops. */
export function trackRequests(server: Server): InFlightRequests {
  let active = 0;
  let waiters: Array<() => void> = [];
  server.on("request", (_req, res) => {
    active++;
    res.once("close", () => {
      if (--active > 0) return;
      for (const wake of waiters) wake();
      waiters = [];
    });
  });
  return {
    active: () => active,
    idle: (ms) =>
      new Promise((resolve) => {
        if (active === 0) return resolve();
        const bound = setTimeout(resolve, ms);
        bound.unref();
        waiters.push(() => {
          clearTimeout(bound);
          resolve();
        });
      }),
  };
}

export interface DrainProcessDeps {
  readonly drain: Pick<DrainState, "drain">;
  readonly server: Server;
  readonly requests: InFlightRequests;
  readonly runner: Pick<JobRunner, "stop">;
  readonly queue: Pick<JobQueue, "release">;
  readonly workerId: string;
  /** How long requests and jobs in flight may take to finish. */
  readonly drainMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

/** Stops accepting connections and resolves once every request finished, or after `ms` with the rest cut off. */
function closeServer(server: Server, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const cutOff = setTimeout(() => server.closeAllConnections(), ms);
    cutOff.unref();
    server.close(() => {
      clearTimeout(cutOff);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * The first half of a graceful shutdown; the caller then closes the local runner and the store.
 * Everything it waits for shares one bound, `drainMs`.
 * 1. Drain: new webhooks get 503 with Retry-After and /readyz fails while the requests in flight
 *    finish; the job runner stops claiming.
 * 2. Stop accepting connections (requests still in flight at the bound are cut off) and wait for
 *    the jobs in flight.
 * 3. Release the jobs still running to the queue (the next process runs them; a late
 *    completion of this one is fenced off by the lease check).
 */
export async function drainProcess(d: DrainProcessDeps): Promise<void> {
  const now = d.now ?? Date.now;
  const deadline = now() + d.drainMs;
  d.drain.drain();
  d.log.info({ drainMs: d.drainMs, requests: d.requests.active() }, "draining: refusing webhooks, finishing requests and jobs in flight");
  const jobs = d.runner.stop(d.drainMs);
  await d.requests.idle(d.drainMs);
  await closeServer(d.server, Math.max(0, deadline - now()));
  const unfinished = await jobs;
  try {
    const released = await d.queue.release(d.workerId, now());
    if (released > 0 || unfinished > 0) d.log.warn({ released, unfinished }, "jobs still running at shutdown were released to the queue");
  } catch (err) {
    d.log.error({ err }, "could not release unfinished jobs; their leases will expire");
  }
}
