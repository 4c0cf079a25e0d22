import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/** Board sessions, kept in the store so they survive restarts and are shared by replicas. */
export interface SessionRows {
  getSession(sid: string, now: number): Promise<string | undefined>;
  setSession(sid: string, data: string, expiresAt: number): Promise<void>;
  destroySession(sid: string): Promise<void>;
  touchSession(sid: string, expiresAt: number): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  pruneSessions(now: number): Promise<number>;
}

export function createSessionRows(db: Kysely<Database>): SessionRows {
  return {
    async getSession(sid, now) {
      const row = await db.selectFrom("sessions").select("data").where("sid", "=", sid).where("expires_at", ">", now).executeTakeFirst();
      return row?.data;
    },
    async setSession(sid, data, expiresAt) {
      await db
        .insertInto("sessions")
        .values({ sid, data, expires_at: expiresAt })
        .onConflict((oc) => oc.column("sid").doUpdateSet({ data, expires_at: expiresAt }))
        .execute();
    },
    async destroySession(sid) {
      await db.deleteFrom("sessions").where("sid", "=", sid).execute();
    },
    async touchSession(sid, expiresAt) {
      await db.updateTable("sessions").set({ expires_at: expiresAt }).where("sid", "=", sid).execute();
    },
    async pruneSessions(now) {
      const r = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
