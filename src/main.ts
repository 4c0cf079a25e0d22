import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { compose } from "./compose/compose.js";
import type { Config } from "./config/config.js";
import type { Builder } from "./domain/builder.js";
import { drainProcess, trackRequests } from "./compose/drain-process.js";
import { isLoopbackHost } from "./web/loopback.js";

export interface Buildgate {
  readonly url: string;
  readonly server: Server;
  /**
   * Graceful shutdown: webhooks get 503 and /readyz fails, then the server stops accepting and
   * the jobs in flight finish (at most `jobs.drainSeconds`; the rest are released to the queue);
   * then the local runner and the store close.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Tests pass a fake; production builds the CodeBuild client from config. */
  readonly builder?: Builder;
  /** Running the shipped demo config: the board says so. */
  readonly demo?: boolean;
  readonly confirmSubscription?: (url: URL) => Promise<void>;
}

/**
 * Board auth `none` (or no board section) is for local development: whatever server.host says,
 * buildgate then listens on loopback only, and says so loudly.
 */
function boardHost(config: Config, log: Logger): string {
  if (!config.board || config.board.auth.mode !== "none" || isLoopbackHost(config.server.host)) return config.server.host;
  log.warn({ configuredHost: config.server.host }, "BOARD AUTH IS 'none': anyone who reaches the board controls builds. Listening on 127.0.0.1 only; configure board.auth (local or github) to listen on other interfaces");
  return "127.0.0.1";
}

/** Listens on `host`, with the timeouts that keep slow or stalled clients from holding sockets. */
async function listen(handler: Parameters<typeof createServer>[1], port: number, host: string): Promise<Server> {
  // Node enforces headersTimeout/requestTimeout (set below) only when it checks connections,
  // every 30 s by default: a slowloris client would hold its socket three times longer.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, handler).listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  // Headers within 10 s, a whole request within 60 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

/** The process: the composed application (compose.ts), listening, with a graceful close. */
export async function startBuildgate(options: StartOptions): Promise<Buildgate> {
  const { config, log } = options;
  const gate = await compose(config, { log, demo: options.demo === true, ...(options.builder ? { builder: options.builder } : {}), ...(options.confirmSubscription ? { confirmSubscription: options.confirmSubscription } : {}) });
  const host = boardHost(config, log);
  let server: Server;
  try {
    server = await listen(gate.app, config.server.port, host);
    await gate.start();
  } catch (err) {
    await gate.close();
    throw err;
  }
  const requests = trackRequests(server);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${port}`;
  log.info({ url, routes: config.routes.length, store: gate.store.dialect }, "buildgate listening");
  const drainMs = config.jobs.drainSeconds * 1000;
  return {
    url,
    server,
    close: () => gate.close(() => drainProcess({ drain: gate.drain, server, requests, runner: gate.runner, queue: gate.store.jobs, workerId: gate.workerId, drainMs, log })),
  };
}
