import { z } from "zod";
import { BoardSchema } from "./board-schema.js";
import { RouteSchema } from "./route-schema.js";

import { httpUrl, nonEmpty, proxyAddress } from "./schema-parts.js";

export const ConfigSchema = z
  .strictObject({
    server: z
      .strictObject({
        // A string of digits is accepted too, so `port: ${PORT_VAR}` works.
        port: z
          .union([z.number(), z.string().regex(/^\d{1,5}$/).transform(Number)], { error: "must be a port number (0-65535)" })
          .pipe(z.number().int().min(0).max(65535))
          .default(8080),
        host: nonEmpty.default("0.0.0.0"),
        publicUrl: httpUrl.optional(),
        apiToken: nonEmpty.optional(),
        /** Bearer token for /metrics; without it /metrics answers loopback clients only. */
        metricsToken: nonEmpty.optional(),
        /**
         * The proxies in front of buildgate whose X-Forwarded-For is believed (the client's
         * address for the login rate limit): false (none), a number of hops (1 behind one load
         * balancer), or a list of their addresses / CIDR blocks. Loopback-only endpoints look at
         * the socket's address whatever this says.
         */
        trustProxy: z.union([z.literal(false), z.number().int().min(1).max(10), z.array(proxyAddress).min(1)]).default(false),
      })
      .default({ port: 8080, host: "0.0.0.0", trustProxy: false }),
    store: z
      .strictObject({ url: z.string().regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, "must start with sqlite: or postgres://") })
      .default({ url: "sqlite:./data/buildgate.db" }),
    github: z
      .strictObject({
        webhookSecrets: z.array(z.string().min(1, "must not be empty (an empty secret lets anyone sign)")).min(1, "must list at least one secret"),
        apiUrl: httpUrl.default("https://api.github.com"),
        auth: z
          .union([
            z.strictObject({ token: nonEmpty }),
            // Without installationId each delivery's `installation.id` picks the installation (one App in several organizations).
            z.strictObject({ appId: z.union([z.number().int(), nonEmpty]), privateKeyPath: nonEmpty, installationId: z.union([z.number().int(), nonEmpty]).optional() }),
          ])
          .optional(),
        /** How builds are shown on GitHub: check runs (a GitHub App only) or commit statuses; default checks for an App, statuses for a token. */
        report: z.enum(["checks", "statuses"]).optional(),
        /** Ask GitHub to redeliver deliveries that failed (buildgate down or unreachable). */
        redelivery: z
          .strictObject({
            enabled: z.boolean().default(true),
            /** The hook to sweep; without it, the hooks whose URL is `<server.publicUrl>/webhooks/github`. */
            hookId: z.number().int().positive().optional(),
            /** An organization webhook instead of each routed repository's. */
            org: nonEmpty.optional(),
            /** GitHub keeps deliveries 3 days. */
            lookbackHours: z.number().min(1).max(72).default(72),
            intervalMinutes: z.number().min(1).max(1440).default(10),
            maxPerRun: z.number().int().min(1).max(1000).default(50),
          })
          .optional(),
      })
      .refine((g) => !g.redelivery?.enabled || g.auth !== undefined, { message: "redelivery needs github.auth (a token or App that can read the hook's deliveries)", path: ["redelivery"] })
      .refine((g) => !g.redelivery?.enabled || !g.auth || !("appId" in g.auth) || g.auth.installationId !== undefined, {
        message: "redelivery as a GitHub App needs github.auth.installationId (the installation whose hooks it sweeps)",
        path: ["redelivery"],
      })
      .refine((g) => g.report !== "checks" || (g.auth !== undefined && "appId" in g.auth), {
        message: "checks needs github.auth to be a GitHub App (appId, privateKeyPath): GitHub only lets Apps create check runs; a token can report statuses",
        path: ["report"],
      })
      .optional(),
    codecommit: z
      .strictObject({
        /** Defaults to aws.region. */
        region: nonEmpty.optional(),
        sns: z
          .strictObject({
            topicArns: z.array(z.string().regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/, "must be an SNS topic ARN")).min(1, "must list at least one topic"),
            /** SigningCertURL → local PEM file, used instead of fetching. */
            pinnedCertificates: z.record(z.string().startsWith("https://", "must be an https SigningCertURL"), nonEmpty).default({}),
            /** Confirm SubscriptionConfirmation messages by fetching their SubscribeURL. */
            confirmSubscriptions: z.boolean().default(true),
          })
          .optional(),
        eventbridge: z
          .strictObject({
            apiKeyHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name").optional(),
            apiKey: z.string().min(16, "must be at least 16 characters").optional(),
            basicAuth: z.strictObject({ username: nonEmpty, password: z.string().min(16, "must be at least 16 characters") }).optional(),
          })
          .refine((e) => (e.apiKeyHeader === undefined) === (e.apiKey === undefined), { message: "apiKeyHeader and apiKey go together" })
          .refine((e) => e.apiKey !== undefined || e.basicAuth !== undefined, { message: "needs apiKeyHeader + apiKey, or basicAuth" })
          .optional(),
      })
      .optional(),
    board: BoardSchema.optional(),
    local: z
      .strictObject({
        workDir: nonEmpty.default("./data/builds"),
        concurrency: z.number().int().min(1).max(64).default(2),
        timeoutMinutes: z.number().min(1).max(2160).default(60),
        maxLogBytes: z.number().int().min(1024).default(5 * 1024 * 1024),
        /** Run pull requests from forks on this host (they are arbitrary code): off unless you say so. */
        allowForkPullRequests: z.boolean().default(false),
        /** Repository (owner/name or CodeCommit name) → a local folder to copy, or a git URL to clone. */
        sources: z.record(z.string(), z.union([z.strictObject({ path: nonEmpty }), z.strictObject({ git: nonEmpty })])).default({}),
      })
      .optional(),
    aws: z
      .strictObject({
        region: nonEmpty.default("us-east-1"),
        // s3: named in the black-box contract; accepted, but this version reads no S3 (a log written only to S3 is named on the page).
        endpoints: z.strictObject({ codebuild: httpUrl.optional(), codecommit: httpUrl.optional(), logs: httpUrl.optional(), s3: httpUrl.optional() }).default({}),
        maxAttempts: z.number().int().min(1).max(10).default(3),
      })
      .default({ region: "us-east-1", endpoints: {}, maxAttempts: 3 }),
    /** Build logs on the board and the log API (src/logs/): the disk cache of finished logs and its bounds. */
    logs: z
      .strictObject({
        /** Finished builds' logs are kept here (one file each). */
        cacheDir: nonEmpty.default("./data/logs"),
        /** Bytes of one build's log kept; past it the oldest lines are dropped (with a marker line). */
        maxBytesPerBuild: z.number().int().min(64 * 1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
        /** The cache folder's size at most: the least recently read logs are removed first. */
        maxCacheBytes: z.number().int().min(1024 * 1024).default(2 * 1024 * 1024 * 1024),
        /** A running build's log is read upstream at most this often, however many people watch. */
        pollSeconds: z.number().min(1).max(60).default(2),
      })
      .default({ cacheDir: "./data/logs", maxBytesPerBuild: 10 * 1024 * 1024, maxCacheBytes: 2 * 1024 * 1024 * 1024, pollSeconds: 2 }),
    tracking: z
      .strictObject({
        pollIntervalSeconds: z.number().min(1).max(3600).default(15),
        /** A build in flight longer than this (CodeBuild's queue timeout: 8 h) is checked by the sweep. */
        stuckAfterMinutes: z.number().min(15).max(2880).default(480),
        sweepIntervalSeconds: z.number().min(5).max(3600).default(60),
      })
      .default({ pollIntervalSeconds: 15, stuckAfterMinutes: 480, sweepIntervalSeconds: 60 }),
    jobs: z
      .strictObject({
        concurrency: z.number().int().min(1).max(64).default(4),
        maxAttempts: z.number().int().min(1).max(100).default(10),
        leaseSeconds: z.number().int().min(5).max(3600).default(60),
        /** On SIGTERM, how long jobs in flight may take to finish before they are released to the queue. */
        drainSeconds: z.number().min(0).max(300).default(20),
        /** Finished jobs are deleted this long after they finished (dead letters are kept). */
        keepFinishedDays: z.number().min(0.01).max(3650).default(7),
      })
      .default({ concurrency: 4, maxAttempts: 10, leaseSeconds: 60, drainSeconds: 20, keepFinishedDays: 7 }),
    routes: z.array(RouteSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.routes.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: "custom", path: ["routes", i, "name"], message: `duplicate route name ${r.name}` });
      seen.add(r.name);
      if ("codecommit" in r.source && !c.codecommit?.sns && !c.codecommit?.eventbridge) {
        ctx.addIssue({ code: "custom", path: ["routes", i, "source"], message: "a codecommit source needs codecommit.sns or codecommit.eventbridge" });
      }
      if (r.builder === "local" && !c.local) {
        ctx.addIssue({ code: "custom", path: ["routes", i, "builder"], message: "builder local needs the local section" });
      }
      if ("github" in r.source && !c.github) {
        ctx.addIssue({ code: "custom", path: ["routes", i, "source"], message: "a github source needs the github section (webhookSecrets)" });
      }
    });
  });

export type RawConfig = z.input<typeof ConfigSchema>;
export type ParsedConfig = z.output<typeof ConfigSchema>;
