import { isLocalBuildId } from "../../domain/builder.js";
import type { BuildRow } from "../../store/store.js";

/** Only http(s) links reach a page; anything else (javascript:, data:) becomes undefined. */
export function safeHttpUrl(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** github.com from api.github.com; https://HOST from a GHES https://HOST/api/v3. */
export function githubWebUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return `${url.protocol}//${url.host}`;
}

const region = (b: BuildRow, fallback: string) => {
  const trigger = b.trigger ? (JSON.parse(b.trigger) as { region?: string }) : {};
  return trigger.region ?? fallback;
};

export interface BuildLinks {
  readonly commit?: string;
  readonly pullRequest?: string;
  readonly console?: string;
  readonly logs?: string;
}

/** Links a person follows from a build, all built by the server from stored ids. */
export function buildLinks(b: BuildRow, o: { githubWeb: string; awsRegion: string }): BuildLinks {
  const repo = b.repository.split("/").map(encodeURIComponent).join("/");
  const awsRegion = region(b, o.awsRegion);
  const aws = `https://${awsRegion}.console.aws.amazon.com/codesuite`;
  const links: { commit?: string; pullRequest?: string; console?: string; logs?: string } = {};
  if (/^[0-9a-f]{40}$/.test(b.sha)) {
    links.commit = b.provider === "github" ? `${o.githubWeb}/${repo}/commit/${b.sha}` : `${aws}/codecommit/repositories/${repo}/commit/${b.sha}?region=${awsRegion}`;
  }
  if (b.pull_request !== null) {
    links.pullRequest = b.provider === "github" ? `${o.githubWeb}/${repo}/pull/${b.pull_request}` : `${aws}/codecommit/repositories/${repo}/pull-requests/${b.pull_request}?region=${awsRegion}`;
  }
  if (b.external_id && !isLocalBuildId(b.external_id)) {
    links.console = `${aws}/codebuild/projects/${encodeURIComponent(b.project)}/build/${encodeURIComponent(b.external_id)}/?region=${awsRegion}`;
  }
  const logs = safeHttpUrl(b.logs_url);
  if (logs) links.logs = logs;
  return links;
}
