import type { BoardConfig } from "../../config/board-schema.js";
import type { BoardUser } from "./board-user.js";

type GithubAuth = NonNullable<BoardConfig["auth"]["github"]>;

async function getJson(url: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "buildgate" }, signal: AbortSignal.timeout(10_000) });
  const body = res.status === 200 ? ((await res.json()) as Record<string, unknown>) : (await res.arrayBuffer(), {});
  return { status: res.status, body };
}

/**
 * Decides who a GitHub sign-in is, with the user's own token (scope read:org): an active member
 * of `org` (and of one of `teams` when set), an operator when in `operatorTeams` or `operators`.
 * Anyone else is refused (undefined), like oauth2-proxy's --github-org/--github-team.
 */
export async function githubBoardUser(cfg: GithubAuth, apiUrl: string, login: string, token: string): Promise<BoardUser | undefined> {
  const api = apiUrl.replace(/\/+$/, "");
  const org = encodeURIComponent(cfg.org);
  const membership = await getJson(`${api}/user/memberships/orgs/${org}`, token);
  if (membership.status !== 200 || membership.body.state !== "active") return undefined;
  const inTeam = async (slug: string) => {
    const r = await getJson(`${api}/orgs/${org}/teams/${encodeURIComponent(slug)}/memberships/${encodeURIComponent(login)}`, token);
    return r.status === 200 && r.body.state === "active";
  };
  if (cfg.teams && !(await anyOf(cfg.teams, inTeam))) return undefined;
  const operator = cfg.operators.includes(login) || (await anyOf(cfg.operatorTeams, inTeam));
  return { name: login, role: operator ? "operator" : "viewer", via: "github" };
}

async function anyOf(items: readonly string[], test: (s: string) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await test(item)) return true;
  return false;
}
