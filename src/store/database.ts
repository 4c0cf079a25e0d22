import type { Generated } from "kysely";

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
  /** pending → queued → running → succeeded | failed | stopped | timed_out | errored */
  state: string;
  external_id: string | null;
  logs_url: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
}

export interface RouteDecisionsTable {
  id: Generated<number>;
  delivery_row_id: number;
  route: string;
  matched: number;
  reason: string;
  build_id: number | null;
}

export interface Database {
  deliveries: DeliveriesTable;
  jobs: JobsTable;
  builds: BuildsTable;
  route_decisions: RouteDecisionsTable;
}
