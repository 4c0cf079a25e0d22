import { buildDedupeKey, supersedeKeyFor } from "./build-key.js";
import type { AwaitingApprovalPlan, BuildPlan, RouteDecision, RouteResult } from "./build-plan.js";
import { buildEnvironment } from "./build-environment.js";
import { checkTrust, sameLabel } from "./check-trust.js";
import { compileGlobFilter, describePatterns } from "./glob-filter.js";
import type { RouteRule } from "./route-rule.js";
import { findSkipMarker } from "./skip-ci.js";
import type { SourceEvent } from "./source-event.js";
import { isRuleRepository } from "./same-repository.js";

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


/** `/test` and `/retest` name their routes explicitly: the event filters don't apply to them. */
const forced = (e: SourceEvent) => e.command !== undefined && e.command.name !== "ok-to-test";

const checkSource: Check = ({ rule }, e) => {
  const { source } = rule;
  if (!isRuleRepository(rule, e)) {
    return `repository ${e.provider}:${e.repository} is not ${source.provider}:${source.repository}`;
  }
  if (source.region && e.location && source.region !== e.location.region) return `repository ${e.repository} is in ${e.location.region}, not ${source.region}`;
  if (source.account && e.location && source.account !== e.location.account) return `repository ${e.repository} is in account ${e.location.account}, not ${source.account}`;
  return undefined;
};

const checkKind: Check = ({ rule }, e) => {
  if (e.kind === "comment") {
    return rule.on.includes("comment") || rule.on.includes("pull_request") ? undefined : `comment commands need comment or pull_request in on: ${describePatterns(rule.on)}`;
  }
  return rule.on.includes(e.kind) ? undefined : `event ${e.kind} is not in on: ${describePatterns(rule.on)}`;
};

const checkCommand: Check = ({ rule }, e) => {
  const c = e.command;
  if (!c) return undefined;
  if (c.name === "test" && c.route !== rule.name) return `/test names route ${c.route}`;
  if (c.name === "retest" && !(c.retestRoutes ?? []).includes(rule.name)) return `/retest: route ${rule.name} has no failed build of ${e.sha.slice(0, 7)}`;
  return undefined;
};

const checkLabel: Check = ({ rule }, e) =>
  e.pullRequest?.addedLabel !== undefined && !sameLabel(e.pullRequest.addedLabel, rule.trust.okToTestLabel)
    ? `label ${e.pullRequest.addedLabel} does not start builds (only ${rule.trust.okToTestLabel})`
    : undefined;

const checkDraft: Check = ({ rule }, e) => (e.pullRequest?.draft && !rule.drafts && !forced(e) ? `pull request #${e.pullRequest.number} is a draft (drafts: false)` : undefined);

const checkRefFilters: Check = (route, e) => {
  const { rule } = route;
  if (forced(e)) return undefined;
  if (e.kind === "tag") {
    return route.tags && e.tag !== undefined && !route.tags(e.tag) ? `tag ${e.tag} matches none of tags: ${describePatterns(rule.tags ?? [])}` : undefined;
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
  const marker = forced(e) ? undefined : findSkipMarker(e.headCommitMessage);
  return marker ? `head commit message contains ${marker}` : undefined;
};

const checkPaths: Check = (route, e) => {
  if (e.kind === "tag" || forced(e) || !e.changedFiles || e.changedFiles.length === 0) return undefined;
  const files = e.changedFiles;
  if (route.paths && !files.some(route.paths)) {
    return `none of ${files.length} changed files match paths: ${describePatterns(route.rule.paths ?? [])}`;
  }
  if (route.ignorePaths && files.every(route.ignorePaths)) {
    return `all ${files.length} changed files match ignorePaths: ${describePatterns(route.rule.ignorePaths ?? [])}`;
  }
  return undefined;
};

// A trusted commenter's command approves the pull request's head.
const checkTrusted: Check = ({ rule }, e) => (e.command ? undefined : checkTrust(rule.trust, e));

// Order matters: the first failing check is the reason shown to people.
const CHECKS: readonly Check[] = [checkSource, checkKind, checkCommand, checkLabel, checkDraft, checkRefFilters, checkSkipMarker, checkPaths, checkTrusted];
// Once these passed, a pull request that misses the route's paths is "not affected" (reportSkipped).
const BEFORE_PATHS = CHECKS.indexOf(checkPaths);
// Failing only this one, a pull request waits for approval.
const TRUST = CHECKS.indexOf(checkTrusted);

function describeMatch(route: CompiledRoute, e: SourceEvent): string {
  const what = e.command
    ? `/${e.command.name}${e.command.route ? ` ${e.command.route}` : ""} by ${e.command.commenter} on pull request #${e.pullRequest?.number}`
    : e.pullRequest
      ? `pull request #${e.pullRequest.number} (${e.action}) into ${e.branch}`
      : e.kind === "tag"
        ? `tag ${e.tag}`
        : `push to ${e.branch}`;
  const filtersPaths = (route.paths || route.ignorePaths) && e.kind !== "tag" && !forced(e);
  const unknownFiles = filtersPaths && (!e.changedFiles || e.changedFiles.length === 0);
  return `matched: ${what} starts ${route.rule.project}${unknownFiles ? " (changed files unknown: building rather than skipping)" : ""}`;
}

function firstFailure(route: CompiledRoute, event: SourceEvent): { reason: string; index: number } | undefined {
  for (let i = 0; i < CHECKS.length; i++) {
    const reason = (CHECKS[i] as Check)(route, event);
    if (reason !== undefined) return { reason, index: i };
  }
  return undefined;
}

/**
 * Compiles the routes once and returns the router: for each event one decision per route
 * (matched or the reason it did not) and one plan per matching route (plus a `skipped` plan
 * for a pull request that misses a `reportSkipped` route's paths).
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
    const awaiting: AwaitingApprovalPlan[] = [];
    for (const route of routes) {
      const failure = firstFailure(route, event);
      const skipped = failure !== undefined && failure.index === BEFORE_PATHS && route.rule.reportSkipped && event.pullRequest !== undefined;
      if (failure && !skipped) {
        const { rule } = route;
        if (failure.index === TRUST && event.pullRequest) awaiting.push({ route: rule.name, context: rule.context, dedupeKey: buildDedupeKey(rule.name, event), label: rule.trust.okToTestLabel, associations: rule.trust.associations });
        decisions.push({ route: rule.name, matched: false, reason: failure.reason });
        continue;
      }
      const dedupeKey = buildDedupeKey(route.rule.name, event);
      decisions.push({ route: route.rule.name, matched: !skipped, reason: failure ? `${failure.reason}: reported as not affected (reportSkipped)` : describeMatch(route, event) });
      plans.push({
        route: route.rule.name,
        project: route.rule.project,
        context: route.rule.context,
        dedupeKey,
        event,
        env: buildEnvironment(route.rule, event, dedupeKey),
        supersedeKey: supersedeKeyFor(route.rule, event),
        ...(skipped ? { skipped: true } : {}),
      });
    }
    return { plans, decisions, ...(awaiting.length > 0 ? { awaiting } : {}) };
  };
}
