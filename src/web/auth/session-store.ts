import session from "express-session";
import type { SessionRows } from "../../store/session-rows.js";

/** express-session's store on buildgate's own database (not MemoryStore): shared by replicas, kept across restarts. */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly rows: SessionRows,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  private expiry(sess: session.SessionData): number {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : undefined;
    return cookieExpiry ?? this.now() + this.ttlMs;
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    this.rows.getSession(sid, this.now()).then((data) => cb(null, data ? (JSON.parse(data) as session.SessionData) : null), cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    this.rows.setSession(sid, JSON.stringify(sess), this.expiry(sess)).then(() => cb?.(), (err) => cb?.(err));
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.rows.destroySession(sid).then(() => cb?.(), (err) => cb?.(err));
  }

  override touch(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    this.rows.touchSession(sid, this.expiry(sess)).then(() => cb?.(), (err) => cb?.(err));
  }
}
