import { z } from "zod";

// Only the fields buildgate reads; everything else in GitHub's payloads passes through untouched.
const Repository = z.looseObject({ full_name: z.string(), clone_url: z.string().optional() });
const Commit = z.looseObject({
  id: z.string(),
  message: z.string().default(""),
  added: z.array(z.string()).default([]),
  removed: z.array(z.string()).default([]),
  modified: z.array(z.string()).default([]),
});

export const PushPayload = z.looseObject({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  deleted: z.boolean().default(false),
  commits: z.array(Commit).default([]),
  head_commit: Commit.extend({ timestamp: z.string().optional() }).nullable().optional(),
  repository: Repository,
  sender: z.looseObject({ login: z.string() }).optional(),
  pusher: z.looseObject({ name: z.string() }).optional(),
});
export type PushPayload = z.infer<typeof PushPayload>;

const PullRequestSide = z.looseObject({ ref: z.string(), sha: z.string(), repo: Repository.nullable() });

export const PullRequestPayload = z.looseObject({
  action: z.string(),
  number: z.number().int(),
  label: z.looseObject({ name: z.string() }).optional(),
  changes: z.looseObject({ base: z.unknown().optional() }).optional(),
  pull_request: z.looseObject({
    state: z.string(),
    draft: z.boolean().default(false),
    merged: z.boolean().nullable().optional(),
    head: PullRequestSide,
    base: PullRequestSide,
    labels: z.array(z.looseObject({ name: z.string() })).default([]),
    author_association: z.string().default("NONE"),
    user: z.looseObject({ login: z.string() }).nullable().optional(),
    title: z.string().optional(),
    updated_at: z.string().optional(),
  }),
  repository: Repository,
  sender: z.looseObject({ login: z.string() }).optional(),
});
export type PullRequestPayload = z.infer<typeof PullRequestPayload>;

export const IssueCommentPayload = z.looseObject({
  action: z.string(),
  issue: z.looseObject({ number: z.number().int(), state: z.string().default("open"), pull_request: z.unknown().optional() }),
  comment: z.looseObject({
    id: z.number().int(),
    body: z.string().nullable().optional(),
    author_association: z.string().optional(),
    created_at: z.string().optional(),
    user: z.looseObject({ login: z.string() }).nullable().optional(),
  }),
  repository: Repository,
  sender: z.looseObject({ login: z.string() }).optional(),
});
export type IssueCommentPayload = z.infer<typeof IssueCommentPayload>;
