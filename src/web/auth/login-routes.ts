import express, { type Router } from "express";
import { rateLimit } from "express-rate-limit";
import type { Logger } from "pino";
import { HttpError } from "../../domain/http-error.js";
import { safeReturnTo } from "./board-user.js";
import type { AuthTools } from "./setup-auth.js";

/** /login, /logout and the GitHub OAuth round trip. */
export function createLoginRoutes(auth: AuthTools, loginAttempts: number, log: Logger): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "4kb" });
  const limiter = rateLimit({ windowMs: 15 * 60_000, limit: loginAttempts, standardHeaders: "draft-8", legacyHeaders: false, message: { error: "too many login attempts; try again later" } });

  router.get("/login", (req, res) => {
    if (auth.mode === "none" || req.user) return res.redirect(303, safeReturnTo(req.query.returnTo));
    res.render("login", { title: "Sign in", mode: auth.mode, csrfToken: auth.csrfToken(req, res), returnTo: safeReturnTo(req.query.returnTo), failed: req.query.error !== undefined, user: undefined });
  });

  router.post("/login", limiter, form, auth.csrf, (req, res, next) => {
    if (auth.mode !== "local") throw new HttpError(404, "local sign-in is not enabled");
    const returnTo = safeReturnTo((req.body as Record<string, unknown>).returnTo);
    auth.passport.authenticate("local", (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) {
        log.warn({ username: String((req.body as Record<string, unknown>).username ?? "").slice(0, 64) }, "board sign-in failed");
        return res.redirect(303, `/login?error=1&returnTo=${encodeURIComponent(returnTo)}`);
      }
      // passport ≥ 0.6 regenerates the session on login: no session fixation.
      req.logIn(user, (e) => (e ? next(e) : res.redirect(303, returnTo)));
    })(req, res, next);
  });

  router.get("/auth/github", (req, res, next) => {
    if (auth.mode !== "github") throw new HttpError(404, "GitHub sign-in is not enabled");
    (req.session as { returnTo?: string }).returnTo = safeReturnTo(req.query.returnTo);
    auth.passport.authenticate("github")(req, res, next);
  });

  router.get("/auth/github/callback", (req, res, next) => {
    if (auth.mode !== "github") throw new HttpError(404, "GitHub sign-in is not enabled");
    const returnTo = safeReturnTo((req.session as { returnTo?: string }).returnTo);
    auth.passport.authenticate("github", (err: unknown, user: Express.User | false, info: { message?: string } | undefined) => {
      if (err) return next(err);
      if (!user) {
        if (/state/i.test(info?.message ?? "")) return next(new HttpError(403, "sign-in refused: the OAuth state is missing or wrong"));
        return next(new HttpError(403, "sign-in refused: not a member of the allowed organization or teams"));
      }
      req.logIn(user, (e) => (e ? next(e) : res.redirect(303, returnTo)));
    })(req, res, next);
  });

  router.post("/logout", form, auth.csrf, (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie("bg.sid", { path: "/" });
        res.redirect(303, "/login");
      });
    });
  });
  return router;
}
