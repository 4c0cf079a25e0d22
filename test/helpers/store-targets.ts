import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { STORE_JOBS } from "../../src/pipeline/job-kinds.js";
import { openStore, type StoreOptions } from "../../src/store/open-store.js";
import type { Dialect } from "../../src/store/dialect.js";
import type { Store } from "../../src/store/store.js";

/** Where the PostgreSQL store tests run; override with BUILDGATE_TEST_PG_URL. */
export const TEST_PG_URL = process.env.BUILDGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** One database engine to run the store tests against. */
export interface StoreTarget {
  readonly name: Dialect;
  /** A URL naming a new, empty database (SQLite file or PostgreSQL schema); removed after the test file. */
  freshUrl(): Promise<string>;
}

/** `url` with the PostgreSQL search_path pinned to `schema` (node-postgres passes `options` to the server). */
export function withSearchPath(url: string, schema: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function connectPg(url: string): Promise<pg.Client | Error> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    return err instanceof Error ? err : new Error(String(err));
  }
}

function sqliteTarget(): StoreTarget {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    name: "sqlite",
    async freshUrl() {
      dir ??= mkdtempSync(join(tmpdir(), "buildgate-store-"));
      return `sqlite:${join(dir, `${randomUUID()}.db`)}`;
    },
  };
}

function postgresTarget(admin: pg.Client): StoreTarget {
  const schemas: string[] = [];
  const prefix = `bg_test_${process.pid}_${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    try {
      for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await admin.end();
    }
  });
  return {
    name: "postgres",
    async freshUrl() {
      const schema = `${prefix}_${schemas.length}`;
      await admin.query(`create schema "${schema}"`);
      schemas.push(schema);
      return withSearchPath(TEST_PG_URL, schema);
    },
  };
}

/**
 * The store targets for one test file: always SQLite; PostgreSQL when it answers. Without it
 * the file fails under CI (CI must run PostgreSQL) and warns once elsewhere. Call at module top
 * level (it registers afterAll hooks) and pass the result to describe.each.
 */
export async function storeTargets(): Promise<StoreTarget[]> {
  const targets = [sqliteTarget()];
  const admin = await connectPg(TEST_PG_URL);
  if (admin instanceof Error) {
    const reason = `cannot connect to ${TEST_PG_URL} (${admin.message})`;
    if (process.env.CI) throw new Error(`PostgreSQL store tests cannot run under CI: ${reason}. Start PostgreSQL or set BUILDGATE_TEST_PG_URL.`);
    console.warn(`PostgreSQL store tests skipped: ${reason}`);
    return targets;
  }
  return [...targets, postgresTarget(admin)];
}

/** Options for a test store: the pipeline's jobs unless told others. */
export type TestStoreOptions = Omit<StoreOptions, "jobs"> & Partial<Pick<StoreOptions, "jobs">>;

/** Opens stores that are closed after each test, so Jest exits cleanly even when a test fails. */
export function trackStores(): (options: TestStoreOptions) => Promise<Store> {
  const open: Store[] = [];
  afterEach(async () => {
    const stores = open.splice(0);
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  });
  return async (options) => {
    const store = await openStore({ jobs: STORE_JOBS, ...options });
    open.push(store);
    return store;
  };
}

/** Runs raw SQL (no parameters) against a store URL outside the store, for checks the Store interface has no query for. */
export async function queryRaw<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  return runRaw<T>(url, text, true);
}

/** Changes rows behind the store's back (e.g. a value it never writes), with raw SQL (no parameters). */
export async function execRaw(url: string, text: string): Promise<void> {
  await runRaw(url, text, false);
}

async function runRaw<T>(url: string, text: string, readonly: boolean): Promise<T[]> {
  if (url.startsWith("sqlite:")) {
    const db = new SqliteDatabase(url.slice("sqlite:".length), { readonly });
    try {
      const statement = db.prepare(text);
      return (statement.reader ? statement.all() : (statement.run(), [])) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}
