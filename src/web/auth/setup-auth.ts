import { randomBytes, timingSafeEqual } from "node:crypto";
import cookieParser from "cookie-parser";
import { doubleCsrf } from "csrf-csrf";
import express, { type Express, type RequestHandler } from "express";
import session from "express-session";
import passport from "passport";
import { Strategy as GithubStrategy } from "passport-github2";
import { Strategy as LocalStrategy } from "passport-local";
import type { Logger } from "pino";
import type { Config } from "../../config/config.js";
import type { SessionRows } from "../../store/session-rows.js";
import { HttpError } from "../../domain/http-error.js";
import type { BoardUser } from "./board-user.js";
import { githubBoardUser } from "./github-membership.js";
import { verifyPassword } from "./password.js";
import { DatabaseSessionStore } from "./session-store.js";

export interface AuthTools {
  /** CSRF token for the forms of this response. */
  csrfToken(req: express.Request, res: express.Response): string;
  /** Checks the CSRF token and the Origin of every state-changing request. */
  readonly csrf: RequestHandler;
  readonly passport: passport.PassportStatic;
  readonly mode: "none" | "local" | "github";
}

// A dummy hash so an unknown username costs the same time as a wrong password.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

function sameOrigin(publicUrl: string, req: express.Request): boolean {
  const origin = req.header("origin");
  if (!origin) return true; // Non-browser clients and same-origin GETs-turned-POSTs from old browsers: the CSRF token decides.
  const expected = [new URL(publicUrl).origin, `${req.protocol}://${req.header("host") ?? ""}`];
  return expected.some((e) => e.length === origin.length && timingSafeEqual(Buffer.from(e), Buffer.from(origin)));
}

/**
 * Sessions in the store, passport (local users, GitHub OAuth with `state`, or none), and CSRF:
 * a double-submit token bound to the session plus an Origin check on every POST.
 */
export function setupAuth(app: Express, config: Config, rows: SessionRows, log: Logger): AuthTools {
  const board = config.board;
  const mode = board?.auth.mode ?? "none";
  const secure = config.server.publicUrl.startsWith("https://");
  const secret = board?.sessionSecret ?? randomBytes(32).toString("hex");
  if (!board?.sessionSecret) log.warn("board.sessionSecret is not set: a random one is used, and sessions end when buildgate restarts");
  const ttlMs = (board?.sessionHours ?? 12) * 3_600_000;

  app.use(cookieParser());
  app.use(
    session({
      name: "bg.sid",
      secret,
      store: new DatabaseSessionStore(rows, ttlMs),
      resave: false,
      saveUninitialized: false,
      rolling: false,
      // An https publicUrl means TLS ends at a proxy in front of buildgate (which serves plain http).
      // express-session withholds a Secure cookie on a request it thinks is insecure, and "trust
      // proxy" is off unless server.trustProxy is set, so without this no session cookie would be
      // sent and nobody could sign in.
      // It trusts only X-Forwarded-Proto, only for this decision; the browser keeps a Secure cookie
      // off plain http anyway.
      ...(secure ? { proxy: true } : {}),
      cookie: { httpOnly: true, sameSite: "lax", secure, maxAge: ttlMs, path: "/" },
    }),
  );
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  instance.serializeUser((user, done) => done(null, user));
  instance.deserializeUser((user: BoardUser, done) => done(null, user));
  if (mode === "local" && board?.auth.local) {
    const users = new Map(board.auth.local.users.map((u) => [u.username, u]));
    instance.use(
      new LocalStrategy((username, password, done) => {
        const user = users.get(username);
        verifyPassword(password, user?.passwordHash ?? DUMMY_HASH).then(
          (ok) => done(null, ok && user ? { name: user.username, role: user.role, via: "local" } : false),
          (err) => done(err),
        );
      }),
    );
  }
  if (mode === "github" && board?.auth.github) {
    const gh = board.auth.github;
    const web = gh.webUrl.replace(/\/+$/, "");
    const apiUrl = config.github?.apiUrl ?? "https://api.github.com";
    instance.use(
      new GithubStrategy(
        {
          clientID: gh.clientId,
          clientSecret: gh.clientSecret,
          callbackURL: `${config.server.publicUrl}/auth/github/callback`,
          authorizationURL: `${web}/login/oauth/authorize`,
          tokenURL: `${web}/login/oauth/access_token`,
          userProfileURL: `${apiUrl}/user`,
          scope: ["read:org"],
          // passport-oauth2 stores a random state in the session and checks it on the callback (login CSRF).
          state: true as unknown as string,
        },
        (token: string, _refresh: string, profile: { username?: string }, done: (err: unknown, user?: BoardUser | false) => void) => {
          githubBoardUser(gh, apiUrl, profile.username ?? "", token).then((u) => done(null, u ?? false), (err) => done(err));
        },
      ),
    );
  }
  app.use(instance.initialize());
  app.use(instance.session());

  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => req.session.id,
    cookieName: secure ? "__Host-bg.csrf" : "bg.csrf",
    cookieOptions: { sameSite: "lax", secure, path: "/", httpOnly: true },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf ?? req.header("x-csrf-token"),
  });
  const csrf: RequestHandler = (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD" && !sameOrigin(config.server.publicUrl, req)) throw new HttpError(403, "cross-origin request refused");
    doubleCsrfProtection(req, res, (err?: unknown) => next(err ? new HttpError(403, "missing or invalid CSRF token") : undefined));
  };
  return {
    csrfToken: (req, res) => {
      // The token is bound to the session: make sure an anonymous visitor's session is kept.
      (req.session as { anonymous?: boolean }).anonymous ??= true;
      return generateCsrfToken(req, res);
    },
    csrf,
    passport: instance,
    mode,
  };
}
