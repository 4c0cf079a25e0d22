import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration } from "kysely";
import pg from "pg";
import type { Database } from "../../../src/store/database.js";
import { JOB } from "../../../src/pipeline/job-kinds.js";
import { migrate, migrationsFor } from "../../../src/store/open-store.js";
import { insertAccepted, newDelivery } from "../../helpers/store-fixtures.js";
import { queryRaw, storeTargets, trackStores, type StoreTarget } from "../../helpers/store-targets.js";

const targets = await storeTargets();

function openKysely(url: string, target: StoreTarget): Kysely<Database> {
  if (target.name === "sqlite") return new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(url.slice("sqlite:".length)) }) });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
}

describe.each(targets)("store on $name: inbox", (target) => {
  const open = trackStores();
  let url: string;
  beforeEach(async () => {
    url = await target.freshUrl();
  });

  describe("migrations", () => {
    it("applies every migration once, in order, then nothing on a second run", async () => {
      const db = openKysely(url, target);
      try {
        expect(await migrate(db, target.name)).toEqual(["001-initial", "002-tracking", "003-board", "004-recovery", "005-board-indexes", "006-job-retention", "008-board-lookups", "011-check-runs"]);
        expect(await migrate(db, target.name)).toEqual([]);
      } finally {
        await db.destroy();
      }
    });

    it("keeps the data and the migration record when the store is reopened", async () => {
      const first = await open({ url, maxAttempts: 3 });
      await insertAccepted(first, "d-reopen");
      await first.close();

      const second = await open({ url, maxAttempts: 3 });
      expect(await second.findDeliveries("d-reopen")).toHaveLength(1);
      const migrations = await queryRaw<{ name: string }>(url, "select name from kysely_migration order by name");
      expect(migrations.map((m) => m.name)).toEqual(["001-initial", "002-tracking", "003-board", "004-recovery", "005-board-indexes", "006-job-retention", "008-board-lookups", "011-check-runs"]);
    });

    it("upgrades a store made by 001-initial, keeping its builds and jobs", async () => {
      const db = openKysely(url, target);
      try {
        const migrationTableSchema = target.name === "postgres" ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
        const only001 = new Migrator({ db, provider: { getMigrations: async () => ({ "001-initial": migrationsFor(target.name)["001-initial"] as Migration }) }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
        expect((await only001.migrateToLatest()).error).toBeUndefined();
        const delivery = await db.insertInto("deliveries").values({ source: "github", delivery_id: "d-old", event: "push", received_at: 1, headers: "{}", body: "{}", body_sha256: "0", status: "routed", reason: null, processed_at: 2 }).returning("id").executeTakeFirstOrThrow();
        await db
          .insertInto("builds")
          .values({ dedupe_key: "k-old", delivery_row_id: Number(delivery.id), route: "api", provider: "github", repository: "acme/api", event_kind: "push", ref: "refs/heads/main", sha: "a".repeat(40), pull_request: null, project: "api-ci", context: "buildgate/api", source_version: "a".repeat(40), env: "{}", state: "running", external_id: "api-ci:old", created_at: 3, updated_at: 3, started_at: 4 })
          .execute();
        await db.insertInto("jobs").values({ kind: JOB.startBuild, payload: "{}", state: "queued", attempts: 0, max_attempts: 3, run_at: 5, created_at: 5, updated_at: 5 }).execute();
      } finally {
        await db.destroy();
      }

      const store = await open({ url, maxAttempts: 3 });
      expect((await queryRaw<{ name: string }>(url, "select name from kysely_migration order by name")).map((m) => m.name)).toEqual(["001-initial", "002-tracking", "003-board", "004-recovery", "005-board-indexes", "006-job-retention", "008-board-lookups", "011-check-runs"]);
      const [build] = await store.listInFlightBuilds(10);
      expect(build).toMatchObject({ dedupe_key: "k-old", state: "running", external_id: "api-ci:old", phases: null, supersede_key: null, event_at: null, trigger: null, superseded_by: null });
      expect(await store.findBuildByExternalId("api-ci:old")).toMatchObject({ id: build?.id });
      const [job] = await store.jobs.claim("w", 10, 1_000, 10);
      expect(job).toMatchObject({ kind: JOB.startBuild, dedupe_key: null });
      // The new columns and table work on the upgraded store.
      expect(await store.jobs.enqueue({ kind: JOB.reportStatus, payload: {}, dedupeKey: "report:1" }, 10)).toEqual(expect.any(Number));
      await store.saveStatusReport({ target: "t", provider: "github", build_id: build?.id ?? -1, state: "pending", description: "d", target_url: null, reported_at: null, posts: 0, error: null });
      expect(await store.getStatusReport("t")).toMatchObject({ build_id: build?.id });
    });

    if (target.name === "postgres") {
      it("migrates its own schema when another schema of the database is already migrated", async () => {
        const other = await open({ url: await target.freshUrl(), maxAttempts: 3 });
        await other.ping();

        const store = await open({ url, maxAttempts: 3 });
        await insertAccepted(store, "d-own-schema");
        const tables = await queryRaw<{ table_name: string }>(url, "select table_name from information_schema.tables where table_schema = current_schema() order by table_name");
        expect(tables.map((t) => t.table_name)).toEqual(["build_heads", "builds", "check_runs", "deliveries", "jobs", "kysely_migration", "kysely_migration_lock", "route_decisions", "sessions", "status_reports"]);
      });
    }
  });

  describe("insertDeliveries", () => {
    it("accepts a new delivery and stores it as received with one process_delivery job", async () => {
      const store = await open({ url, maxAttempts: 3 });
      expect(await store.insertDeliveries([newDelivery("d-1")])).toEqual(["accepted"]);

      const [row] = await store.findDeliveries("d-1");
      expect(row).toMatchObject({ source: "github", delivery_id: "d-1", event: "push", status: "received", reason: null, processed_at: null, received_at: 1_000 });
      expect(JSON.parse(row?.headers ?? "{}")).toEqual({ "x-github-event": "push", "x-github-delivery": "d-1" });
      expect(await store.getDelivery(row?.id ?? -1)).toEqual(row);

      const jobs = await store.jobs.claim("w", 1_000, 60_000, 10);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ kind: JOB.processDelivery, max_attempts: 3, attempts: 1 });
      expect(JSON.parse(jobs[0]?.payload ?? "{}")).toEqual({ deliveryRowId: row?.id });
    });

    it("reports the same (source, delivery id) again as duplicate, and the same id from another source as new", async () => {
      const store = await open({ url, maxAttempts: 3 });
      await store.insertDeliveries([newDelivery("d-dup")]);
      expect(await store.insertDeliveries([newDelivery("d-dup", { body: "{}" })])).toEqual(["duplicate"]);
      expect(await store.insertDeliveries([newDelivery("d-dup", { source: "sns" })])).toEqual(["accepted"]);

      expect((await store.findDeliveries("d-dup")).map((d) => d.source)).toEqual(["github", "sns"]);
      expect(await store.jobs.countByState()).toEqual({ queued: 2 });
    });

    it("reports a duplicate inside one batch as duplicate", async () => {
      const store = await open({ url, maxAttempts: 3 });
      expect(await store.insertDeliveries([newDelivery("b-1"), newDelivery("b-2"), newDelivery("b-1")])).toEqual(["accepted", "accepted", "duplicate"]);
      expect(await store.findDeliveries("b-1")).toHaveLength(1);
      expect(await store.jobs.countByState()).toEqual({ queued: 2 });
    });

    it("stores a delivery with an ignored reason as ignored, without a job", async () => {
      const store = await open({ url, maxAttempts: 3 });
      expect(await store.insertDeliveries([newDelivery("d-ign", { event: "ping", ignoredReason: "ping event", receivedAt: 5_000 })])).toEqual(["accepted"]);

      const [row] = await store.findDeliveries("d-ign");
      expect(row).toMatchObject({ status: "ignored", reason: "ping event", processed_at: 5_000 });
      expect(await store.jobs.countByState()).toEqual({});
    });

    it("creates exactly one row and one job for 10 concurrent inserts of the same delivery", async () => {
      const store = await open({ url, maxAttempts: 3 });
      const outcomes = (await Promise.all(Array.from({ length: 10 }, () => store.insertDeliveries([newDelivery("d-race")])))).flat();

      expect(outcomes.filter((o) => o === "accepted")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(9);
      expect(await store.findDeliveries("d-race")).toHaveLength(1);
      expect(await store.jobs.countByState()).toEqual({ queued: 1 });
    });

    if (target.name === "postgres") {
      it("creates exactly one row and one job when two store instances insert the same delivery concurrently", async () => {
        const a = await open({ url, maxAttempts: 3, poolSize: 5 });
        const b = await open({ url, maxAttempts: 3, poolSize: 5 });
        const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).insertDeliveries([newDelivery("d-race-2")]));
        const outcomes = (await Promise.all(calls)).flat();

        expect(outcomes.filter((o) => o === "accepted")).toHaveLength(1);
        expect(await a.findDeliveries("d-race-2")).toHaveLength(1);
        expect(await b.jobs.countByState()).toEqual({ queued: 1 });
        const rows = await queryRaw<{ n: string | number }>(url, "select count(*) as n from jobs");
        expect(Number(rows[0]?.n)).toBe(1);
      });
    }
  });

  describe("markDeliveryFailed", () => {
    it("fails a received delivery but leaves an already processed one alone", async () => {
      const store = await open({ url, maxAttempts: 3 });
      const received = await insertAccepted(store, "d-fail");
      await store.insertDeliveries([newDelivery("d-ignored", { ignoredReason: "ping" })]);
      const [ignored] = await store.findDeliveries("d-ignored");

      await store.markDeliveryFailed(received, "bad payload", 9_000);
      await store.markDeliveryFailed(ignored?.id ?? -1, "bad payload", 9_000);

      expect(await store.getDelivery(received)).toMatchObject({ status: "failed", reason: "bad payload", processed_at: 9_000 });
      expect(await store.getDelivery(ignored?.id ?? -1)).toMatchObject({ status: "ignored", reason: "ping" });
    });
  });

  describe("ping and close", () => {
    it("pings while open and rejects once closed", async () => {
      const store = await open({ url, maxAttempts: 3 });
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });
  });
});
