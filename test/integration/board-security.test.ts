import request from "supertest";
import { createTestGate, type TestGate } from "../helpers/test-gate.js";
import { BoardClient, boardYaml, csrfOf, locationOf, hashBoardUsers, OPERATOR, seedBuild, setCookies, sideEffects, signedIn, VIEWER, type BoardHashes } from "../helpers/board-gate.js";

const PUBLIC_URL = "http://board.test";

let hashes: BoardHashes;
beforeAll(async () => {
  hashes = await hashBoardUsers();
});

const closeGate = async (gate: TestGate | undefined) => {
  if (!gate) return;
  await gate.close();
};

describe("board security", () => {
  let gate: TestGate;
  let buildId: number;
  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(hashes, { publicUrl: PUBLIC_URL }) });
    ({ buildId } = await seedBuild(gate.store, { state: "succeeded" }));
  });
  afterAll(() => closeGate(gate));

  describe("CSRF on every POST", () => {
    let operator: BoardClient;
    let token: string;
    beforeAll(async () => {
      operator = await signedIn(gate.app, OPERATOR);
      token = await operator.csrf(`/builds/${buildId}`);
    });

    const rebuild = (form: Record<string, string>, headers: Record<string, string> = {}, cookies?: readonly string[]) => operator.post(`/builds/${buildId}/rebuild`, form, headers, cookies);

    it("refuses a POST without a token, with a wrong one, or with another session's token: 403, nothing happens", async () => {
      const other = await signedIn(gate.app, OPERATOR);
      const othersToken = await other.csrf("/");
      const before = await sideEffects(gate);
      const attempts = [
        await rebuild({}),
        await rebuild({ _csrf: "" }),
        await rebuild({ _csrf: "not-a-token" }),
        await rebuild({ _csrf: `${token.slice(0, -2)}xx` }),
        await rebuild({ _csrf: othersToken }),
        await rebuild({}, { "x-csrf-token": "not-a-token" }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(res.text).toMatch(/CSRF/);
      }
      expect(await sideEffects(gate)).toEqual(before);
    });

    it("refuses the right token without the CSRF cookie (session cookie only): 403, nothing happens", async () => {
      const before = await sideEffects(gate);
      expect([...operator.cookies.keys()].sort()).toEqual(["bg.csrf", "bg.sid"]);
      const res = await rebuild({ _csrf: token }, {}, ["bg.sid"]);
      expect(res.status).toBe(403);
      // Without any cookie there is no session: sent to sign in, still nothing happens.
      const anonymous = await rebuild({ _csrf: token }, {}, []);
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.location).toMatch(/^\/login/);
      expect(await sideEffects(gate)).toEqual(before);
    });

    it("refuses a foreign Origin even with a valid token and cookies: 403, nothing happens", async () => {
      const before = await sideEffects(gate);
      for (const origin of ["https://evil.example", "http://board.test.evil.example", "null", "http://board.test:8080", "https://board.test"]) {
        const res = await rebuild({ _csrf: token }, { origin });
        expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
        expect(res.text).toMatch(/cross-origin/);
      }
      expect(await sideEffects(gate)).toEqual(before);
    });

    it("accepts the same request from the board's own origin (and from a client that sends none)", async () => {
      const before = await sideEffects(gate);
      const res = await rebuild({ _csrf: token }, { origin: PUBLIC_URL });
      expect(res.status).toBe(303);
      const again = await rebuild({ _csrf: token });
      expect(again.status).toBe(303);
      expect((await sideEffects(gate)).builds).toBe(before.builds + 2);
    });

    it("protects sign-in and sign-out too", async () => {
      const fresh = new BoardClient(gate.app);
      await fresh.get("/login");
      expect((await fresh.post("/login", { username: OPERATOR.username, password: OPERATOR.password })).status).toBe(403);
      expect((await fresh.get("/")).status).toBe(303);
      const signed = await signedIn(gate.app, VIEWER);
      expect((await signed.post("/logout", {})).status).toBe(403);
      expect((await signed.get("/")).status).toBe(200);
      const foreign = await signed.post("/logout", { _csrf: await signed.csrf("/") }, { origin: "https://evil.example" });
      expect(foreign.status).toBe(403);
      expect((await signed.get("/")).status).toBe(200);
    });
  });

  describe("sign-in and sessions", () => {
    it("a wrong password (or unknown user) redirects back with an error and opens no session", async () => {
      for (const user of [{ username: OPERATOR.username, password: "wrong" }, { username: "nobody", password: OPERATOR.password }, { username: VIEWER.username, password: OPERATOR.password }]) {
        const client = new BoardClient(gate.app);
        const res = await client.login(user, "/builds");
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe(`/login?error=1&returnTo=${encodeURIComponent("/builds")}`);
        expect((await client.get("/")).status).toBe(303);
        const form = await client.get(locationOf(res));
        expect(form.text).toContain("Sign-in failed");
        expect(form.text).toContain('name="returnTo" value="/builds"');
      }
    });

    it("changes the session id at sign-in (no fixation): the pre-login id is not signed in", async () => {
      const client = new BoardClient(gate.app);
      await client.get("/login");
      const before = client.sid;
      expect(before).toBeDefined();
      const res = await client.login(OPERATOR);
      expect(res.status).toBe(303);
      expect(setCookies(res).some((c) => c.startsWith("bg.sid="))).toBe(true);
      const after = client.sid;
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      expect((await client.get("/")).status).toBe(200);
      // An attacker holding the pre-login cookie gets nothing.
      const attacker = new BoardClient(gate.app);
      attacker.cookies.set("bg.sid", before!);
      const denied = await attacker.get("/");
      expect(denied.status).toBe(303);
      expect(denied.headers.location).toMatch(/^\/login/);
      expect((await attacker.get("/api/builds")).status).toBe(401);
    });

    it("a session id planted before sign-in is not adopted", async () => {
      const client = new BoardClient(gate.app);
      client.cookies.set("bg.sid", "s%3Aplanted-session-id.invalidsignature");
      await client.login(OPERATOR);
      expect(client.sid).not.toContain("planted");
      const attacker = new BoardClient(gate.app);
      attacker.cookies.set("bg.sid", "s%3Aplanted-session-id.invalidsignature");
      expect((await attacker.get("/")).status).toBe(303);
    });

    it("sign-out destroys the session: the old cookie no longer works", async () => {
      const client = await signedIn(gate.app, VIEWER);
      const sid = client.sid!;
      const res = await client.post("/logout", { _csrf: await client.csrf("/") });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe("/login");
      expect(setCookies(res).some((c) => /^bg\.sid=;/.test(c))).toBe(true);
      expect((await client.get("/")).status).toBe(303);
      const replay = new BoardClient(gate.app);
      replay.cookies.set("bg.sid", sid);
      expect((await replay.get("/")).status).toBe(303);
      expect((await replay.get("/api/dashboard")).status).toBe(401);
    });
  });

  describe("headers", () => {
    it("sends a CSP without unsafe-inline, nosniff and frame-ancestors 'none' on every page", async () => {
      const viewer = await signedIn(gate.app, VIEWER);
      for (const path of ["/login", "/", "/builds", `/builds/${buildId}`, "/deliveries", "/dead-letters", "/builds/999999", "/static/board.css", "/api/builds"]) {
        const res = path === "/login" ? await request(gate.app).get(path) : await viewer.get(path);
        const csp = String(res.headers["content-security-policy"] ?? "");
        expect({ path, csp: csp.length > 0 }).toEqual({ path, csp: true });
        expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
        expect(csp).toMatch(/default-src 'self'/);
        expect(csp).toMatch(/script-src 'self'(;|$)/);
        expect(csp).toMatch(/object-src 'none'/);
        expect(csp).toMatch(/frame-ancestors 'none'/);
        expect(csp).toMatch(/base-uri 'none'/);
        expect(res.headers["x-content-type-options"]).toBe("nosniff");
        expect(res.headers["referrer-policy"]).toBe("same-origin");
        expect(res.headers["x-powered-by"]).toBeUndefined();
        // Served over plain http: no HSTS.
        expect(res.headers["strict-transport-security"]).toBeUndefined();
      }
    });

    it("pages have no inline script or style (the CSP would block them)", async () => {
      const viewer = await signedIn(gate.app, VIEWER);
      for (const path of ["/login", "/", "/builds", `/builds/${buildId}`, "/deliveries", "/dead-letters"]) {
        const html = (path === "/login" ? await request(gate.app).get(path) : await viewer.get(path)).text;
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      }
    });
  });

  describe("cookies", () => {
    it("bg.sid is HttpOnly, SameSite=Lax, Path=/, with an expiry, and not Secure over http", async () => {
      const res = await request(gate.app).get("/login");
      const sid = setCookies(res).find((c) => c.startsWith("bg.sid="));
      expect(sid).toBeDefined();
      expect(sid).toMatch(/; HttpOnly/);
      expect(sid).toMatch(/; SameSite=Lax/);
      expect(sid).toMatch(/; Path=\//);
      expect(sid).toMatch(/; Expires=/);
      expect(sid).not.toMatch(/; Secure/);
      const csrf = setCookies(res).find((c) => c.startsWith("bg.csrf="));
      expect(csrf).toMatch(/; HttpOnly/);
      expect(csrf).toMatch(/; SameSite=Lax/);
    });

    describe("when server.publicUrl is https", () => {
      let https: TestGate;
      beforeAll(async () => {
        https = await createTestGate({ yaml: boardYaml(hashes, { publicUrl: "https://board.example" }) });
      });
      afterAll(() => closeGate(https));

      it("marks both cookies Secure (__Host- CSRF cookie) behind a TLS proxy, and sends HSTS", async () => {
        const res = await request(https.app).get("/login").set("x-forwarded-proto", "https");
        const sid = setCookies(res).find((c) => c.startsWith("bg.sid="));
        expect(sid).toMatch(/; Secure/);
        expect(sid).toMatch(/; HttpOnly/);
        expect(sid).toMatch(/; SameSite=Lax/);
        const csrf = setCookies(res).find((c) => c.startsWith("__Host-bg.csrf="));
        expect(csrf).toMatch(/; Secure/);
        expect(csrf).toMatch(/; Path=\//);
        expect(csrf).not.toMatch(/; Domain=/);
        expect(res.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      });

      it("never sends the session cookie over plain http (express-session withholds a Secure cookie on an insecure request)", async () => {
        const res = await request(https.app).get("/login");
        expect(res.status).toBe(200);
        expect(setCookies(res).some((c) => c.startsWith("bg.sid="))).toBe(false);
      });

      it("signs in through the proxy, and the Secure session works", async () => {
        const client = new BoardClient(https.app);
        const proxied = { "x-forwarded-proto": "https", origin: "https://board.example" };
        const form = await client.get("/login", proxied);
        const res = await client.post("/login", { _csrf: csrfOf(form.text)!, username: OPERATOR.username, password: OPERATOR.password }, proxied);
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe("/");
        expect(setCookies(res).find((c) => c.startsWith("bg.sid="))).toMatch(/; Secure/);
        expect((await client.get("/", proxied)).status).toBe(200);
      });
    });
  });

  describe("open redirects through returnTo", () => {
    const hostile = ["//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example", "http://evil.example/", "javascript:alert(1)", "/%2F%2Fevil.example", "//evil.example/%2F..", "/\t/evil.example", "/\n/evil.example", " //evil.example", "evil.example", "", "///evil.example", "/\\/evil.example"];

    const expectSameSite = (location: string | undefined) => {
      expect(location).toBeDefined();
      expect(location).toMatch(/^\/(?![/\\])/);
      expect(new URL(location!, PUBLIC_URL).origin).toBe(PUBLIC_URL);
    };

    it("after sign-in, never leaves the site", async () => {
      for (const returnTo of hostile) {
        const client = new BoardClient(gate.app);
        const form = await client.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
        expect(form.status).toBe(200);
        const res = await client.post("/login", { _csrf: csrfOf(form.text)!, username: VIEWER.username, password: VIEWER.password, returnTo });
        expect({ returnTo, status: res.status }).toEqual({ returnTo, status: 303 });
        expectSameSite(res.headers.location);
        if (!returnTo.startsWith("/%2F")) expect({ returnTo, location: res.headers.location }).toEqual({ returnTo, location: "/" });
      }
    });

    it("the sign-in form and the signed-in redirect sanitize it too; same-site paths are kept", async () => {
      const anonymous = new BoardClient(gate.app);
      for (const returnTo of hostile) {
        const form = await anonymous.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
        const kept = /name="returnTo" value="([^"]*)"/.exec(form.text)?.[1];
        expect(kept === "/" || kept === "/%2F%2Fevil.example").toBe(true);
      }
      const viewer = await signedIn(gate.app, VIEWER);
      for (const returnTo of hostile) {
        const res = await viewer.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
        expect(res.status).toBe(303);
        expectSameSite(res.headers.location);
      }
      const client = new BoardClient(gate.app);
      const res = await client.login(VIEWER, "/builds?state=failed&route=hello");
      expect(res.headers.location).toBe("/builds?state=failed&route=hello");
    });

    it("a page visited anonymously at a //host path still comes back on the site", async () => {
      const client = new BoardClient(gate.app);
      const first = await client.get("//evil.example/builds");
      expect(first.status).toBe(303);
      const returnTo = new URL(locationOf(first), PUBLIC_URL).searchParams.get("returnTo") ?? "";
      const form = await client.get(locationOf(first));
      const res = await client.post("/login", { _csrf: csrfOf(form.text)!, username: VIEWER.username, password: VIEWER.password, returnTo });
      expectSameSite(res.headers.location);
    });
  });

  describe("EJS server-side template injection through the query", () => {
    const polluted = [
      "settings[view options][outputFunctionName]=x;process.exit(1)//",
      "settings%5Bview%20options%5D%5BoutputFunctionName%5D=x%3Bprocess.exit(1)%2F%2F",
      "settings[view options][client]=1&settings[view options][escapeFunction]=process.exit(1)",
      "settings[view options][localsName]=process.exit(1)//",
      "settings[view options][destructuredLocals][]=x=process.exit(1)",
      "__proto__[outputFunctionName]=x;process.exit(1)//",
      "constructor[prototype][outputFunctionName]=x;process.exit(1)//",
      "cache=false&filename=/etc/passwd&root=/&views=/etc&layout=x",
    ];

    it("renders every page normally and the process stays alive", async () => {
      const viewer = await signedIn(gate.app, VIEWER);
      for (const q of polluted) {
        for (const path of ["/", "/builds", `/builds/${buildId}`, "/deliveries", "/dead-letters"]) {
          const res = await viewer.get(`${path}?${q}`);
          expect({ path, q, status: res.status }).toEqual({ path, q, status: 200 });
          expect(res.text).toContain("</html>");
        }
        const login = await request(gate.app).get(`/login?${q}`);
        expect(login.status).toBe(200);
        expect((await request(gate.app).get(`/badges/hello.svg?${q}`)).status).toBe(200);
      }
      expect(({} as Record<string, unknown>).outputFunctionName).toBeUndefined();
      expect((await request(gate.app).get("/healthz")).status).toBe(200);
    });

    it("a polluted sign-in form is just a failed or ordinary sign-in", async () => {
      const client = new BoardClient(gate.app);
      const form = await client.get("/login");
      const res = await request(gate.app)
        .post("/login")
        .set("cookie", client.cookieHeader())
        .type("form")
        .send(`_csrf=${encodeURIComponent(csrfOf(form.text)!)}&username=${VIEWER.username}&password=${VIEWER.password}&settings[view options][outputFunctionName]=x;process.exit(1)//`)
        .redirects(0);
      expect(res.status).toBe(303);
      expect((await request(gate.app).get("/healthz")).status).toBe(200);
    });
  });
});

describe("login rate limit", () => {
  let gate: TestGate;
  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(hashes, { loginAttempts: 3 }) });
  });
  afterAll(() => closeGate(gate));

  it("answers 429 after board.loginAttempts attempts, even to the right password", async () => {
    const client = new BoardClient(gate.app);
    const token = await client.csrf("/login");
    for (let i = 0; i < 3; i++) {
      const res = await client.post("/login", { _csrf: token, username: OPERATOR.username, password: `wrong-${i}` });
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/error=1/);
    }
    const limited = await client.post("/login", { _csrf: token, username: OPERATOR.username, password: OPERATOR.password });
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBeDefined();
    expect(limited.body.error).toMatch(/too many/);
    expect((await client.get("/")).status).toBe(303);
    // Viewing the form is not limited.
    expect((await client.get("/login")).status).toBe(200);
  });
});

describe("login rate limit behind a load balancer (server.trustProxy)", () => {
  /** A login from `ip` as the proxy reports it; the status it gets. */
  async function nextAttempt(app: TestGate["app"], ip: string, password: string = OPERATOR.password): Promise<number> {
    const client = new BoardClient(app);
    const token = await client.csrf("/login");
    return (await client.post("/login", { _csrf: token, username: OPERATOR.username, password }, { "x-forwarded-for": ip })).status;
  }
  /** Three failed logins from `ip`; then the right password. */
  async function exhaust(app: TestGate["app"], ip: string): Promise<number> {
    for (let i = 0; i < 3; i++) expect(await nextAttempt(app, ip, `wrong-${i}`)).toBe(303);
    return nextAttempt(app, ip);
  }

  it("limits each client behind the proxy on its own: one user's typos do not lock everyone out", async () => {
    const gate = await createTestGate({ yaml: boardYaml(hashes, { loginAttempts: 3, trustProxy: "1" }) });
    try {
      expect(await exhaust(gate.app, "203.0.113.7")).toBe(429);
      expect(await nextAttempt(gate.app, "198.51.100.20")).toBe(303);
    } finally {
      await closeGate(gate);
    }
  });

  it("behind a proxy on this host, loopback-only endpoints look at the client it names, not at the proxy's connection", async () => {
    const gate = await createTestGate({ yaml: boardYaml(hashes, { trustProxy: "[loopback]", board: false, apiToken: null }) });
    try {
      // The proxy (here: supertest, on loopback) forwards a remote client: refused.
      expect((await request(gate.app).get("/api/builds").set("x-forwarded-for", "203.0.113.7")).status).toBe(403);
      expect((await request(gate.app).get("/metrics").set("x-forwarded-for", "203.0.113.7")).status).toBe(403);
      // A client on this host itself: allowed.
      expect((await request(gate.app).get("/api/builds")).status).toBe(200);
      expect((await request(gate.app).get("/api/builds").set("x-forwarded-for", "127.0.0.1")).status).toBe(200);
    } finally {
      await closeGate(gate);
    }
  });

  it("without trustProxy a forged X-Forwarded-For does not escape the limit", async () => {
    const gate = await createTestGate({ yaml: boardYaml(hashes, { loginAttempts: 3 }) });
    try {
      expect(await exhaust(gate.app, "203.0.113.7")).toBe(429);
      expect(await nextAttempt(gate.app, "198.51.100.20")).toBe(429);
    } finally {
      await closeGate(gate);
    }
  });
});

describe("GitHub OAuth sign-in", () => {
  let gate: TestGate;
  beforeAll(async () => {
    gate = await createTestGate({ yaml: boardYaml(undefined, { mode: "github", publicUrl: PUBLIC_URL }) });
  });
  afterAll(() => closeGate(gate));

  it("sends the visitor to GitHub with a state and read:org", async () => {
    const client = new BoardClient(gate.app);
    const login = await client.get("/login?returnTo=%2Fbuilds");
    expect(login.text).toContain('href="/auth/github?returnTo=%2Fbuilds"');
    const res = await client.get("/auth/github?returnTo=%2Fbuilds");
    expect(res.status).toBe(302);
    const url = new URL(locationOf(res));
    expect(url.origin + url.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(url.searchParams.get("client_id")).toBe("fake-client-id");
    expect(url.searchParams.get("scope")).toBe("read:org");
    expect(url.searchParams.get("redirect_uri")).toBe(`${PUBLIC_URL}/auth/github/callback`);
    expect(url.searchParams.get("state")?.length).toBeGreaterThanOrEqual(16);
  });

  it("refuses a callback with a missing or wrong state: 403, no session", async () => {
    const cold = await request(gate.app).get("/auth/github/callback?code=x&state=wrong").redirects(0);
    expect(cold.status).toBe(403);
    const none = await request(gate.app).get("/auth/github/callback?code=x").redirects(0);
    expect(none.status).toBe(403);

    const client = new BoardClient(gate.app);
    const start = await client.get("/auth/github");
    const state = new URL(locationOf(start)).searchParams.get("state")!;
    for (const path of ["/auth/github/callback?code=x&state=wrong", "/auth/github/callback?code=x", `/auth/github/callback?code=x&state=${state}x`]) {
      const res = await client.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.text).toMatch(/state/);
    }
    expect((await client.get("/")).status).toBe(303);
  });

  it("has no local sign-in", async () => {
    const client = new BoardClient(gate.app);
    const form = await client.get("/login");
    expect(form.text).not.toContain('name="password"');
    expect([403, 404]).toContain((await client.post("/login", { _csrf: csrfOf(form.text) ?? "", username: OPERATOR.username, password: OPERATOR.password })).status);
    expect((await client.get("/")).status).toBe(303);
  });
});
