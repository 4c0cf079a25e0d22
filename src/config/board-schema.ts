import { z } from "zod";
import { httpUrl, nonEmpty } from "./schema-parts.js";

const Role = z.enum(["viewer", "operator"]);

const LocalUser = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1-64 letters, digits, '.', '_' or '-'"),
  /** From `buildgate hash-password`: scrypt$N$r$p$salt$hash. */
  passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, "must come from `buildgate hash-password`"),
  role: Role.default("viewer"),
});

const GithubAuth = z.strictObject({
  clientId: nonEmpty,
  clientSecret: nonEmpty,
  /** Only active members of this organization may sign in. */
  org: nonEmpty,
  /** When set, members must also belong to one of these teams (slugs). */
  teams: z.array(nonEmpty).optional(),
  /** Members of these teams (slugs) are operators. */
  operatorTeams: z.array(nonEmpty).default([]),
  /** These logins are operators. */
  operators: z.array(nonEmpty).default([]),
  /** GitHub Enterprise Server: https://HOST (the API is taken from github.apiUrl). */
  webUrl: httpUrl.default("https://github.com"),
});

export const BoardSchema = z.strictObject({
  auth: z
    .strictObject({
      mode: z.enum(["none", "local", "github"]),
      local: z.strictObject({ users: z.array(LocalUser).min(1, "must list at least one user") }).optional(),
      github: GithubAuth.optional(),
    })
    .refine((a) => a.mode !== "local" || a.local, { message: "mode local needs auth.local.users" })
    .refine((a) => a.mode !== "github" || a.github, { message: "mode github needs auth.github" }),
  /** Signs session cookies; when unset a random one is made at start (sessions end on restart). */
  sessionSecret: z.string().min(32, "must be at least 32 characters").optional(),
  sessionHours: z.number().min(1).max(24 * 7).default(12),
  /** Badges at /badges/<route>.svg without signing in. */
  publicBadges: z.boolean().default(true),
  /** Login attempts per IP per 15 minutes. */
  loginAttempts: z.number().int().min(1).max(1000).default(10),
});

export type BoardConfig = z.output<typeof BoardSchema>;
