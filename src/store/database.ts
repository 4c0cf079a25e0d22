import type { ColumnType, Generated } from "kysely";
import type { BuildState } from "../domain/build-state.js";

/** Table shapes as stored. Times are epoch milliseconds; booleans are 0/1 (portable SQL). */
export interface DeliveriesTable {
  id: Generated<number>;
  source: string;
  delivery_id: string;
  event: string;
  received_at: number;
  headers: string;
  body: string;
  body_sha256: string;
  /** received → routed | ignored | failed */
  status: string;
  reason: string | null;
  processed_at: number | null;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  /** queued | running | done | dead */
  state: string;
  attempts: number;
  max_attempts: number;
  run_at: number;
  lease_until: number | null;
  leased_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  /** At most one queued job per key (e.g. one pending status report per build). */
  dedupe_key: string | null;
}

export interface BuildsTable {
  id: Generated<number>;
  dedupe_key: string;
  delivery_row_id: number;
  route: string;
  provider: string;
  repository: string;
  event_kind: string;
  ref: string;
  sha: string;
  pull_request: number | null;
  project: string;
  context: string;
  source_version: string;
  env: string;
  /**
   * Written as a BuildState; read back as the text stored, which the store parses
   * (`parseBuildState`) before anyone sees it. How it may change: `domain/build-lifecycle.ts`.
   */
  state: ColumnType<string, BuildState, BuildState>;
  external_id: string | null;
  logs_url: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  /** The builder's raw status (CodeBuild buildStatus). */
  external_status: string | null;
  current_phase: string | null;
  /** JSON PhaseRecord[] */
  phases: string | null;
  ended_at: number | null;
  resolved_sha: string | null;
  polled_at: number | null;
  superseded_by: number | null;
  /** Builds with the same key (route + pull request, or route + branch) supersede each other. */
  supersede_key: string | null;
  /** When the triggering event happened (PR updated_at, push time): orders late deliveries. */
  event_at: number | null;
  head_ref: string | null;
  /** JSON: what started it (delivery, event, action, actor, comment). */
  trigger: string | null;
  /** When the first start attempt began (before its StartBuild call); null until one did. */
  first_start_at: number | null;
}

export interface RouteDecisionsTable {
  id: Generated<number>;
  delivery_row_id: number;
  route: string;
  matched: number;
  reason: string;
  build_id: number | null;
}

export interface StatusReportsTable {
  id: Generated<number>;
  /** provider|repository|sha|context: what a status is posted to. */
  target: string;
  provider: string;
  build_id: number;
  state: string;
  description: string;
  target_url: string | null;
  /** null until a post succeeded. */
  reported_at: number | null;
  posts: number;
  error: string | null;
}

export interface SessionsTable {
  sid: string;
  data: string;
  expires_at: number;
}

/** The latest build of each route in each lane (branch/tag ref, or `pr#N`) of a repository. */
export interface BuildHeadsTable {
  repository: string;
  lane: string;
  route: string;
  build_id: number;
  updated_at: number;
}

/** The GitHub check run of a build (migration 011). */
export interface CheckRunsTable {
  build_id: number;
  check_run_id: number;
  annotations_sent: number;
  created_at: number;
  updated_at: number;
}

export interface Database {
  check_runs: CheckRunsTable;
  sessions: SessionsTable;
  build_heads: BuildHeadsTable;
  status_reports: StatusReportsTable;
  deliveries: DeliveriesTable;
  jobs: JobsTable;
  builds: BuildsTable;
  route_decisions: RouteDecisionsTable;
}
