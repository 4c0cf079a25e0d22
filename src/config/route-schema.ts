import { z } from "zod";
import { EVENT_KINDS } from "../domain/source-event.js";
import { globList, nonEmpty } from "./schema-parts.js";

const RouteName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "must be 1-63 letters, digits, '.', '_' or '-'");
// CodeBuild project names: letters, digits, '-' and '_', 2-150 characters.
const ProjectName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$/, "must be a CodeBuild project name (2-150 of A-Z a-z 0-9 - _)");
const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a shell variable name")
  .refine((n) => !/^(CODEBUILD_|BUILDGATE_)/.test(n), "CODEBUILD_* and BUILDGATE_* are reserved");

const Source = z.union([
  z.strictObject({ github: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be owner/repo") }),
  z.strictObject({
    codecommit: z
      .string()
      .regex(/^[\w.-]{1,100}$/, "must be a CodeCommit repository name")
      .refine((n) => !n.endsWith(".git"), "a CodeCommit repository name cannot end in .git"),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region").optional(),
    account: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id").optional(),
  }),
]);

const Trust = z.strictObject({
  associations: z.array(z.enum(["OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN", "NONE"])).default(["OWNER", "MEMBER", "COLLABORATOR"]),
  okToTestLabel: nonEmpty.default("ok-to-test"),
  allowForks: z.boolean().default(false),
  /** CodeCommit: IAM principal ARNs (globs) whose pull requests build, and whose approval lets others build. */
  callers: z.array(z.string().regex(/^arn:aws[\w-]*:(iam|sts)::(\d{12}|\*):[\w+=,.@*/-]+$/, "must be an IAM or STS ARN (globs allowed)")).min(1).optional(),
});

const CodeCommitReporting = z.strictObject({
  comments: z.boolean().default(true),
  approve: z.boolean().default(false),
  commentOnCommits: z.boolean().default(false),
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
    codecommit: CodeCommitReporting.default({ comments: true, approve: false, commentOnCommits: false }),
    /** Who runs the build: CodeBuild (default) or the local runner (development and small teams). */
    builder: z.enum(["codebuild", "local"]).default("codebuild"),
    /** An inline buildspec: CodeBuild's buildspecOverride, or what the local runner runs instead of buildspec.yml. */
    buildspec: z.string().min(1).max(100_000).optional(),
  })
  .refine((r) => !(r.paths && r.ignorePaths), { message: "use either paths or ignorePaths, not both (paths accepts '!' exclusions)", path: ["ignorePaths"] });

