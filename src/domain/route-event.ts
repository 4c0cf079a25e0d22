import { buildDedupeKey } from "./build-key.js";
import type { BuildPlan, RouteDecision, RouteResult } from "./build-plan.js";
import { compileGlobFilter, describePatterns } from "./glob-filter.js";
import type { RouteRule } from "./route-rule.js";
import { findSkipMarker } from "./skip-ci.js";
import type { SourceEvent } from "./source-event.js";
import { buildEnvironment } from "./build-environment.js";
import { checkTrust, sameLabel } from "./check-trust.js";

type Matcher = (value: string) => boolean;

interface CompiledRoute {
  readonly rule: RouteRule;
  readonly branches?: Matcher;
  readonly tags?: Matcher;
  readonly headBranches?: Matcher;
  readonly paths?: Matcher;
  readonly ignorePaths?: Matcher;
}

/** A verdict of one filter: undefined passes, a string is the reason the route does not match. */
type Check = (route: CompiledRoute, event: SourceEvent) => string | undefined;

const optional = (patterns: readonly string[] | undefined) => (patterns ? compileGlobFilter(patterns) : undefined);

const sameRepository = (a: string, b: string, provider: string) =>
  provider === "github" ? a.toLowerCase() === b.toLowerCase() : a === b;

const checkSource: Check = ({ rule }, e) =>
  rule.source.provider !== e.provider || !sameRepository(rule.source.repository, e.repository, e.provider)
    ? `repository ${e.provider}:${e.repository} is not ${rule.source.provider}:${rule.source.repository}`
    : undefined;

const checkKind: Check = ({ rule }, e) =>
  rule.on.includes(e.kind) ? undefined : `event ${e.kind} is not in on: ${describePatterns(rule.on)}`;

const checkLabel: Check = ({ rule }, e) =>
  e.pullRequest?.addedLabel !== undefined && !sameLabel(e.pullRequest.addedLabel, rule.trust.okToTestLabel)
    ? `label ${e.pullRequest.addedLabel} does not start builds (only ${rule.trust.okToTestLabel})`
    : undefined;

const checkDraft: Check = ({ rule }, e) =>
  e.pullRequest?.draft && !rule.drafts ? `pull request #${e.pullRequest.number} is a draft (drafts: false)` : undefined;

const checkRefFilters: Check = (route, e) => {
  const { rule } = route;
  if (e.kind === "tag") {
    return route.tags && e.tag !== undefined && !route.tags(e.tag)
      ? `tag ${e.tag} matches none of tags: ${describePatterns(rule.tags ?? [])}`
      : undefined;
  }
  if (route.branches && e.branch !== undefined && !route.branches(e.branch)) {
    const which = e.pullRequest ? "base branch" : "branch";
    return `${which} ${e.branch} matches none of branches: ${describePatterns(rule.branches ?? [])}`;
  }
  if (route.headBranches && e.pullRequest && !route.headBranches(e.pullRequest.headRef)) {
    return `head branch ${e.pullRequest.headRef} matches none of headBranches: ${describePatterns(rule.headBranches ?? [])}`;
  }
  return undefined;
};

const checkSkipMarker: Check = (_route, e) => {
  const marker = findSkipMarker(e.headCommitMessage);
  return marker ? `head commit message contains ${marker}` : undefined;
};

const checkPaths: Check = (route, e) => {
  if (e.kind === "tag" || !e.changedFiles || e.changedFiles.length === 0) return undefined;
  const files = e.changedFiles;
  if (route.paths && !files.some(route.paths)) {
    return `none of ${files.length} changed files match paths: ${describePatterns(route.rule.paths ?? [])}`;
  }
  if (route.ignorePaths && files.every(route.ignorePaths)) {
    return `all ${files.length} changed files match ignorePaths: ${describePatterns(route.rule.ignorePaths ?? [])}`;
  }
  return undefined;
};

const checkTrusted: Check = ({ rule }, e) => checkTrust(rule.trust, e);

// Order matters: the first failing check is the reason shown to people.
const CHECKS: readonly Check[] = [checkSource, checkKind, checkLabel, checkDraft, checkRefFilters, checkSkipMarker, checkPaths, checkTrusted];

function describeMatch(route: CompiledRoute, e: SourceEvent): string {
  const what = e.pullRequest
    ? `pull request #${e.pullRequest.number} (${e.action}) into ${e.branch}`
    : e.kind === "tag"
      ? `tag ${e.tag}`
      : `push to ${e.branch}`;
  const filtersPaths = (route.paths || route.ignorePaths) && e.kind !== "tag";
  const unknownFiles = filtersPaths && (!e.changedFiles || e.changedFiles.length === 0);
  return `matched: ${what} starts ${route.rule.project}${unknownFiles ? " (changed files unknown: building rather than skipping)" : ""}`;
}

/**
 * Compiles the routes once and returns the router: for each event one decision per route
 * (matched or the reason it did not) and one plan per matching route.
 */
export function createRouter(rules: readonly RouteRule[]): (event: SourceEvent) => RouteResult {
  const routes: CompiledRoute[] = rules.map((rule) => ({
    rule,
    branches: optional(rule.branches),
    tags: optional(rule.tags),
    headBranches: optional(rule.headBranches),
    paths: optional(rule.paths),
    ignorePaths: optional(rule.ignorePaths),
  }));
  return (event) => {
    const plans: BuildPlan[] = [];
    const decisions: RouteDecision[] = [];
    for (const route of routes) {
      const reason = CHECKS.reduce<string | undefined>((found, check) => found ?? check(route, event), undefined);
      if (reason !== undefined) {
        decisions.push({ route: route.rule.name, matched: false, reason });
        continue;
      }
      const dedupeKey = buildDedupeKey(route.rule.name, event);
      decisions.push({ route: route.rule.name, matched: true, reason: describeMatch(route, event) });
      plans.push({
        route: route.rule.name,
        project: route.rule.project,
        context: route.rule.context,
        dedupeKey,
        event,
        env: buildEnvironment(route.rule, event, dedupeKey),
      });
    }
    return { plans, decisions };
  };
}
