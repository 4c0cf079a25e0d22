import { BUILD_STATES, type BuildState } from "../../domain/build-state.js";
import { HttpError } from "../../domain/http-error.js";
import type { BuildFilter } from "../../store/board-queries.js";

/** The filters of `/builds` and `/api/builds` as typed in the form (what the page shows back). */
export interface BuildFilterForm {
  readonly repository?: string;
  readonly route?: string;
  readonly ref?: string;
  readonly state?: BuildState;
}

export interface ParsedBuildFilter {
  /** For the store: the ref widened to what a lane name means; the repository compared case-insensitively there. */
  readonly filter: Omit<BuildFilter, "limit" | "before">;
  /** For the form and the "older" link: the values as given. */
  readonly form: BuildFilterForm;
}

const text = (value: unknown, max = 200): string | undefined => {
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  return v.length > 0 && v.length <= max ? v : undefined;
};

/**
 * A ref filter as the pages show refs: `refs/heads/main` as stored (pull requests into main
 * included, as before); a lane name (`main`, `feature/x`, `v1.0`) means that branch's or that tag's
 * own builds, as its dashboard card shows them (a pull request into main is in its `#12` lane);
 * `#12` (or `pr#12`) is pull request 12.
 */
export function parseRefFilter(value: string): Pick<BuildFilter, "ref" | "pullRequest"> {
  const pr = /^(?:pr)?#(\d{1,9})$/i.exec(value);
  if (pr) return { pullRequest: Number(pr[1]) };
  if (value.startsWith("refs/")) return { ref: value };
  return { ref: [`refs/heads/${value}`, `refs/tags/${value}`], pullRequest: null };
}

/** The state filter: absent, or one of BUILD_STATES; anything else is a 400 that lists the valid values. */
export function parseStateFilter(value: unknown): BuildState | undefined {
  if (value === undefined || value === "") return undefined;
  const state = BUILD_STATES.find((s) => s === value);
  if (state) return state;
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : "given more than once";
  throw new HttpError(400, `unknown state ${shown}: the valid states are ${BUILD_STATES.join(", ")}`);
}

/** `/builds?repository=&route=&ref=&state=` → the store's filter and the form's values; throws a 400 on an unknown state. */
export function parseBuildFilter(query: Readonly<Record<string, unknown>>): ParsedBuildFilter {
  const repository = text(query.repository);
  const route = text(query.route);
  const ref = text(query.ref);
  const state = parseStateFilter(query.state);
  const form: BuildFilterForm = { ...(repository ? { repository } : {}), ...(route ? { route } : {}), ...(ref ? { ref } : {}), ...(state ? { state } : {}) };
  const filter = { ...(repository ? { repository } : {}), ...(route ? { route } : {}), ...(ref ? parseRefFilter(ref) : {}), ...(state ? { state } : {}) };
  return { filter, form };
}
