import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Logger } from "pino";
import { createApp } from "./app.js";
import { createCodeBuildBuilder, createCodeBuildClient } from "./builders/codebuild/codebuild-builder.js";
import type { Config } from "./config/config.js";
import type { Builder } from "./domain/builder.js";
import { createRouter } from "./domain/route-event.js";
import { createInbox } from "./intake/create-inbox.js";
import { createJobRunner } from "./pipeline/job-runner.js";
import { createProcessDelivery } from "./pipeline/process-delivery.js";
import { createStartBuild } from "./pipeline/start-build.js";
import { isLeaseHolderGone } from "./pipeline/lease-holder.js";
import { normalizeGithubEvent } from "./providers/github/normalize-github-event.js";
import { openStore, PROCESS_DELIVERY_JOB } from "./store/open-store.js";
import { START_BUILD_JOB } from "./store/record-routing.js";

export interface Buildgate {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting, drains jobs in flight, closes the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Tests pass a fake; production builds the CodeBuild client from config. */
  readonly builder?: Builder;
}

/** The composition root: store, adapters, job runner and HTTP server, wired once. */
export async function startBuildgate({ config, log, builder }: StartOptions): Promise<Buildgate> {
  const store = await openStore({ url: config.store.url, maxAttempts: config.jobs.maxAttempts });
  const workerId = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
  const runner = createJobRunner({
    queue: store.jobs,
    log,
    workerId,
    concurrency: config.jobs.concurrency,
    leaseMs: config.jobs.leaseSeconds * 1000,
    handlers: {
      [PROCESS_DELIVERY_JOB]: createProcessDelivery({
        store,
        normalizers: { github: normalizeGithubEvent },
        route: createRouter(config.routes),
        onBuildsCreated: () => runner.wake(),
      }),
      [START_BUILD_JOB]: createStartBuild({
        store,
        builder: builder ?? createCodeBuildBuilder(createCodeBuildClient({ region: config.aws.region, endpoint: config.aws.endpoints.codebuild, maxAttempts: config.aws.maxAttempts })),
      }),
    },
  });
  // A crash leaves jobs leased to a process that no longer exists: take them back now
  // rather than waiting for their leases to expire.
  const released = await store.jobs.releaseLeases((holder) => isLeaseHolderGone(holder, hostname()), Date.now());
  if (released > 0) log.warn({ released }, "requeued jobs held by a process that is gone");

  const inbox = createInbox(store, () => runner.wake());
  const app = createApp({ config, store, inbox, log });
  const server = app.listen(config.server.port, config.server.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  // Slow or stalled clients must not hold sockets: headers within 10 s, a whole request within 60 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  runner.start();
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.server.host === "0.0.0.0" ? "127.0.0.1" : config.server.host}:${port}`;
  log.info({ url, routes: config.routes.length, store: store.dialect }, "buildgate listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await runner.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
