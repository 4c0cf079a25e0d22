import { RETESTABLE_STATES } from "../../domain/build-state.js";
import type { BuildState } from "../../domain/build-state.js";
import type { CommandRequest, NormalizeResult } from "../../domain/source-event.js";
import type { GithubApi } from "./github-api.js";
import type { Store } from "../../store/store.js";

const TRUSTED_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

export interface ResolveCommandDeps {
  readonly github: Pick<GithubApi, "getPullRequest" | "getPermission">;
  readonly store: Pick<Store, "listBuildsForCommit">;
}

/** The routes whose newest build of a commit ended without success: what `/retest` reruns. */
export async function failedRoutes(store: ResolveCommandDeps["store"], repository: string, sha: string): Promise<string[]> {
  const latest = new Map<string, BuildState>();
  for (const b of await store.listBuildsForCommit(repository, sha)) latest.set(b.route, b.state);
  return [...latest].filter(([, s]) => RETESTABLE_STATES.has(s)).map(([route]) => route);
}

/**
 * Turns a comment command into a SourceEvent for the pull request's current head, or a reason
 * to ignore it. Only OWNER/MEMBER/COLLABORATOR, or users with write permission, may run commands.
 */
export async function resolveCommand(deps: ResolveCommandDeps, r: CommandRequest): Promise<NormalizeResult> {
  if (!TRUSTED_ASSOCIATIONS.has(r.association)) {
    const permission = await deps.github.getPermission(r.repository, r.commenter);
    if (!WRITE_PERMISSIONS.has(permission)) {
      return { kind: "ignored", reason: `/${r.command.name} by ${r.commenter} (${r.association}, permission ${permission}) ignored: commands need write access` };
    }
  }
  const pr = await deps.github.getPullRequest(r.repository, r.pullRequestNumber);
  if (pr.state !== "open") return { kind: "ignored", reason: `pull request #${pr.number} is ${pr.state}` };
  const retestRoutes = r.command.name === "retest" ? await failedRoutes(deps.store, r.repository, pr.headSha) : undefined;
  if (retestRoutes && retestRoutes.length === 0) return { kind: "ignored", reason: `/retest: no failed build of ${pr.headSha.slice(0, 7)} to rerun` };
  return {
    kind: "event",
    event: {
      provider: r.provider,
      deliveryId: r.deliveryId,
      repository: r.repository,
      kind: "comment",
      action: r.command.name,
      ref: `refs/heads/${pr.baseRef}`,
      branch: pr.baseRef,
      sha: pr.headSha,
      actor: r.commenter,
      pullRequest: {
        number: pr.number,
        baseRef: pr.baseRef,
        baseSha: pr.baseSha,
        headRef: pr.headRef,
        headSha: pr.headSha,
        headRepository: pr.headRepository,
        fromFork: pr.headRepository === null || pr.headRepository.toLowerCase() !== pr.baseRepository.toLowerCase(),
        draft: pr.draft,
        labels: pr.labels,
        authorAssociation: pr.authorAssociation,
      },
      command: {
        name: r.command.name,
        ...(r.command.name === "test" ? { route: r.command.route } : {}),
        ...(retestRoutes ? { retestRoutes } : {}),
        commentId: r.commentId,
        commenter: r.commenter,
      },
      ...(r.occurredAt !== undefined ? { occurredAt: r.occurredAt } : {}),
      ...(r.installationId !== undefined ? { installationId: r.installationId } : {}),
    },
  };
}
