import type { CommitState } from "./build-state.js";

/** What a build shows where developers look: a state, one line of text, its name and a link. */
export interface CommitStatus {
  readonly state: CommitState;
  readonly description: string;
  readonly context: string;
  readonly targetUrl?: string;
}
