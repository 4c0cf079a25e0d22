import session from "express-session";
import type { SessionRows } from "../../store/session-rows.js";

/** A touch moves a session's expiry in the store at most this often. */
const TOUCH_EVERY_MS = 60_000;
/** Sessions whose last written expiry is remembered (the oldest are forgotten first). */
const REMEMBERED = 10_000;

/**
 * express-session's store on buildgate's own database (not MemoryStore): shared by replicas, kept
 * across restarts. express-session touches the session at the end of every request (its expiry
 * slides); writing that on every page view would make every view of a signed-in user a write, so
 * a touch is written only when it moves the expiry by a minute or more since this process last
 * wrote it. A session's expiry in the store is at most a minute short of its sliding value.
 */
export class DatabaseSessionStore extends session.Store {
  private readonly written = new Map<string, number>();

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

  private remember(sid: string, expiry: number): void {
    this.written.delete(sid);
    this.written.set(sid, expiry);
    if (this.written.size > REMEMBERED) this.written.delete(this.written.keys().next().value as string);
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const expiry = this.expiry(sess);
    this.rows.setSession(sid, JSON.stringify(sess), expiry).then(
      () => {
        this.remember(sid, expiry);
        cb?.();
      },
      (err) => cb?.(err),
    );
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.written.delete(sid);
    this.rows.destroySession(sid).then(() => cb?.(), (err) => cb?.(err));
  }

  override touch(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const expiry = this.expiry(sess);
    const last = this.written.get(sid);
    if (last !== undefined && expiry - last < TOUCH_EVERY_MS) {
      cb?.();
      return;
    }
    this.rows.touchSession(sid, expiry).then(
      () => {
        this.remember(sid, expiry);
        cb?.();
      },
      (err) => cb?.(err),
    );
  }
}
