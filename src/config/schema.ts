import { z } from "zod";
import { EVENT_KINDS } from "../domain/source-event.js";

const nonEmpty = z.string().trim().min(1, "must not be empty");
const globList = z.array(nonEmpty).min(1, "must list at least one pattern");
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const RouteName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "must be 1-63 letters, digits, '.', '_' or '-'");
// CodeBuild project names: letters, digits, '-' and '_', 2-150 characters.
const ProjectName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$/, "must be a CodeBuild project name (2-150 of A-Z a-z 0-9 - _)");
const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a shell variable name")
  .refine((n) => !/^(CODEBUILD_|BUILDGATE_)/.test(n), "CODEBUILD_* and BUILDGATE_* are reserved");

const Source = z.union([
  z.strictObject({ github: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be owner/repo") }),
  z.strictObject({ codecommit: z.string().regex(/^[\w.-]{1,100}$/, "must be a CodeCommit repository name") }),
]);

const Trust = z.strictObject({
  associations: z.array(z.enum(["OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN", "NONE"])).default(["OWNER", "MEMBER", "COLLABORATOR"]),
  okToTestLabel: nonEmpty.default("ok-to-test"),
  allowForks: z.boolean().default(false),
});

export const RouteSchema = z
  .strictObject({
    name: RouteName,
    source: Source,
    on: z.array(z.enum(EVENT_KINDS as [string, ...string[]])).min(1, "must list at least one event"),
    branches: globList.optional(),
    tags: globList.optional(),
    headBranches: globList.optional(),
    paths: globList.optional(),
    ignorePaths: globList.optional(),
    drafts: z.boolean().default(false),
    project: ProjectName,
    env: z.record(EnvName, z.string()).default({}),
    context: z.string().trim().min(1).max(255).optional(),
    cancelSuperseded: z.union([z.boolean(), z.enum(["pull_requests", "branches", "all"])]).default(false),
    reportSkipped: z.boolean().default(false),
    trust: Trust.default({ associations: ["OWNER", "MEMBER", "COLLABORATOR"], okToTestLabel: "ok-to-test", allowForks: false }),
  })
  .refine((r) => !(r.paths && r.ignorePaths), { message: "use either paths or ignorePaths, not both (paths accepts '!' exclusions)", path: ["ignorePaths"] });

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
      })
      .default({ port: 8080, host: "0.0.0.0" }),
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
            z.strictObject({ appId: z.union([z.number().int(), nonEmpty]), privateKeyPath: nonEmpty, installationId: z.union([z.number().int(), nonEmpty]) }),
          ])
          .optional(),
      })
      .optional(),
    aws: z
      .strictObject({
        region: nonEmpty.default("us-east-1"),
        endpoints: z.strictObject({ codebuild: httpUrl.optional(), codecommit: httpUrl.optional() }).default({}),
        maxAttempts: z.number().int().min(1).max(10).default(3),
      })
      .default({ region: "us-east-1", endpoints: {}, maxAttempts: 3 }),
    tracking: z.strictObject({ pollIntervalSeconds: z.number().min(1).max(3600).default(15) }).default({ pollIntervalSeconds: 15 }),
    jobs: z
      .strictObject({
        concurrency: z.number().int().min(1).max(64).default(4),
        maxAttempts: z.number().int().min(1).max(100).default(10),
        leaseSeconds: z.number().int().min(5).max(3600).default(60),
      })
      .default({ concurrency: 4, maxAttempts: 10, leaseSeconds: 60 }),
    routes: z.array(RouteSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.routes.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: "custom", path: ["routes", i, "name"], message: `duplicate route name ${r.name}` });
      seen.add(r.name);
      if ("github" in r.source && !c.github) {
        ctx.addIssue({ code: "custom", path: ["routes", i, "source"], message: "a github source needs the github section (webhookSecrets)" });
      }
    });
  });

export type RawConfig = z.input<typeof ConfigSchema>;
export type ParsedConfig = z.output<typeof ConfigSchema>;
