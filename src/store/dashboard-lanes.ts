import type { Kysely } from "kysely";
import { asBuild } from "./build-queries.js";
import type { Database } from "./database.js";
import type { BuildRow } from "./store.js";

export interface DashboardLane {
  readonly repository: string;
  readonly lane: string;
  readonly builds: readonly BuildRow[];
}

type Lane = Pick<DashboardLane, "repository" | "lane">;
type Head = { updated_at: number; repository: string; lane: string; route: string };

const keyOf = (repository: string, lane: string) => JSON.stringify([repository, lane]);

/**
 * The `count` lanes with the most recently updated heads, newest first; ties in `updated_at` go
 * by repository, then lane, both descending. Walks `build_heads_recent` newest first (an
 * index-only scan) and stops at the count-th distinct lane, so it reads at most `count` × routes
 * heads, however many lanes the store holds.
 */
async function newestLanes(db: Kysely<Database>, count: number): Promise<Lane[]> {
  // Usually one batch: a lane has one head per route, and only a few routes.
  const batch = Math.max(4 * count, 64);
  const lanes = new Map<string, Lane>();
  let after: Head | undefined;
  for (;;) {
    const from = after;
    const rows = await db
      .selectFrom("build_heads")
      .select(["updated_at", "repository", "lane", "route"])
      .$if(from !== undefined, (q) => q.where(({ eb, refTuple, tuple }) => eb(refTuple("updated_at", "repository", "lane", "route"), "<", tuple(from!.updated_at, from!.repository, from!.lane, from!.route))))
      .orderBy("updated_at", "desc")
      .orderBy("repository", "desc")
      .orderBy("lane", "desc")
      .orderBy("route", "desc")
      .limit(batch)
      .execute();
    for (const r of rows) {
      const key = keyOf(r.repository, r.lane);
      if (!lanes.has(key)) lanes.set(key, { repository: r.repository, lane: r.lane });
      if (lanes.size === count) return [...lanes.values()];
    }
    if (rows.length < batch) return [...lanes.values()];
    const last = rows[rows.length - 1] as Head;
    after = { ...last, updated_at: Number(last.updated_at) };
  }
}

const laneOf = (b: BuildRow) => (b.pull_request !== null ? `pr#${b.pull_request}` : b.ref);

/** The newest lanes, each with the head build of every route in it (by route name). */
export async function dashboardLanes(db: Kysely<Database>, count: number): Promise<DashboardLane[]> {
  if (count <= 0) return [];
  const lanes = await newestLanes(db, count);
  if (lanes.length === 0) return [];
  const heads = await db
    .selectFrom("build_heads")
    .innerJoin("builds", "builds.id", "build_heads.build_id")
    .selectAll("builds")
    .where((eb) => eb.or(lanes.map((n) => eb.and([eb("build_heads.repository", "=", n.repository), eb("build_heads.lane", "=", n.lane)]))))
    .execute();
  const byLane = new Map<string, BuildRow[]>();
  for (const b of heads.map(asBuild).sort((x, y) => x.route.localeCompare(y.route))) {
    const key = keyOf(b.repository, laneOf(b));
    const lane = byLane.get(key);
    if (lane) lane.push(b);
    else byLane.set(key, [b]);
  }
  return lanes.map((n) => ({ ...n, builds: byLane.get(keyOf(n.repository, n.lane)) ?? [] }));
}
