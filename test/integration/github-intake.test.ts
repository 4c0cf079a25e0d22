import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { pushExample, exampleOf } from "../helpers/github-examples.js";
import { signGithub } from "../helpers/sign.js";
import { createTestGate, OLD_SECRET, SECRET, type TestGate } from "../helpers/test-gate.js";

describe("POST /webhooks/github", () => {
  let gate: TestGate;
  beforeEach(async () => {
    gate = await createTestGate();
  });
  afterEach(async () => {
    await gate.close();
  });

  const body = JSON.stringify(pushExample());
  function post(payload: string | Buffer = body, headers: Record<string, string | undefined> = {}) {
    const all: Record<string, string | undefined> = {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signGithub(SECRET, payload),
      ...headers,
    };
    let req = request(gate.app).post("/webhooks/github");
    for (const [k, v] of Object.entries(all)) if (v !== undefined) req = req.set(k, v);
    return req.send(payload);
  }
  const stored = async (deliveryId: string) => gate.store.findDeliveries(deliveryId);
  const deliveryCount = async () => (await gate.store.jobs.countByState()).queued ?? 0;

  it("stores a signed push and answers 202 after the commit", async () => {
    const id = randomUUID();
    const res = await post(body, { "x-github-delivery": id });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: "accepted", deliveryId: id });
    // No ETag hashed for a webhook's answer.
    expect(res.headers.etag).toBeUndefined();
    const rows = await stored(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "github", event: "push", status: "received", body });
    expect(JSON.parse(rows[0]!.headers)).not.toHaveProperty("x-hub-signature-256");
    expect(JSON.parse(rows[0]!.headers)["x-github-event"]).toBe("push");
    expect(await gate.store.jobs.countByState()).toEqual({ queued: 1 });
  });

  it("answers 200 duplicate for a delivery id seen before, and stores nothing more", async () => {
    const id = randomUUID();
    expect((await post(body, { "x-github-delivery": id })).status).toBe(202);
    const again = await post(body, { "x-github-delivery": id });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("duplicate");
    expect(await stored(id)).toHaveLength(1);
    expect(await deliveryCount()).toBe(1);
  });

  it("stores ten concurrent copies of one delivery once", async () => {
    const id = randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => post(body, { "x-github-delivery": id })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    expect(await stored(id)).toHaveLength(1);
    expect(await deliveryCount()).toBe(1);
  });

  it("checks GitHub's documented HMAC test vector over the wire", async () => {
    // secret "It's a Secret to Everybody", body "Hello, World!": the signature passes, so the
    // answer is the JSON check's 400, not the signature's 401.
    const vector = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const res = await post("Hello, World!", { "x-hub-signature-256": vector });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("body is not valid JSON");
    expect((await post("Hello, World?", { "x-hub-signature-256": vector })).status).toBe(401);
  });

  it("accepts a body signed with an older secret still listed (rotation)", async () => {
    expect((await post(body, { "x-hub-signature-256": signGithub(OLD_SECRET, body) })).status).toBe(202);
  });

  it.each([
    { name: "no signature", sig: undefined },
    { name: "64 zeros", sig: `sha256=${"0".repeat(64)}` },
    { name: "sha256=abc", sig: "sha256=abc" },
    { name: "non-hex", sig: `sha256=${"g".repeat(64)}` },
    { name: "empty", sig: "" },
    { name: "a wrong secret", sig: signGithub("wrong", body) },
  ])("rejects $name with 401 and stores nothing", async ({ sig }) => {
    const id = randomUUID();
    const res = await post(body, { "x-github-delivery": id, "x-hub-signature-256": sig });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/signature/);
    expect(await stored(id)).toHaveLength(0);
  });

  it("rejects a sha1-only signature (no downgrade)", async () => {
    const sha1 = signGithub(SECRET, body).replace("sha256=", "sha1=");
    const res = await post(body, { "x-hub-signature-256": undefined, "x-hub-signature": sha1 });
    expect(res.status).toBe(401);
  });

  it("rejects a body changed by one byte under the original signature", async () => {
    const tampered = body.replace("Codertocat", "Codertocad");
    expect((await post(tampered, { "x-hub-signature-256": signGithub(SECRET, body) })).status).toBe(401);
  });

  it("verifies the raw bytes, not re-serialized JSON", async () => {
    const raw = `{ "zen" :  "caf\u00e9",\n  "ref": "refs/heads/master" , "after": "${"a".repeat(40)}", "before": "${"0".repeat(40)}", "repository": {"full_name": "Codertocat/Hello-World"} }`;
    expect((await post(raw)).status).toBe(202);
    const reserialized = JSON.stringify(JSON.parse(raw));
    expect((await post(raw, { "x-hub-signature-256": signGithub(SECRET, reserialized) })).status).toBe(401);
  });

  it.each(["GET", "PUT", "DELETE", "PATCH"])("answers %s with 405 and Allow: POST", async (method) => {
    const res = await request(gate.app)[method.toLowerCase() as "get"]("/webhooks/github");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("POST");
  });

  it.each([
    { name: "X-GitHub-Event", header: "x-github-event" },
    { name: "X-GitHub-Delivery", header: "x-github-delivery" },
  ])("answers 400 without $name even when signed", async ({ header }) => {
    const res = await post(body, { [header]: undefined });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(header === "x-github-event" ? "X-GitHub-Event" : "X-GitHub-Delivery");
  });

  it("answers ping with 200 and stores nothing", async () => {
    const ping = JSON.stringify(exampleOf("ping"));
    const id = randomUUID();
    const res = await post(ping, { "x-github-event": "ping", "x-github-delivery": id });
    expect(res.status).toBe(200);
    expect(await stored(id)).toHaveLength(0);
  });

  it("stores an unhandled event as ignored, with the reason, and queues no job", async () => {
    const id = randomUUID();
    const star = JSON.stringify({ action: "created", repository: { full_name: "Codertocat/Hello-World" } });
    const res = await post(star, { "x-github-event": "star", "x-github-delivery": id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ignored", reason: "event star is not handled" });
    expect((await stored(id))[0]).toMatchObject({ status: "ignored", reason: "event star is not handled" });
    expect(await deliveryCount()).toBe(0);
  });

  it("accepts a form-encoded payload signed over the raw form", async () => {
    const id = randomUUID();
    const form = `payload=${encodeURIComponent(body)}`;
    const res = await post(form, { "content-type": "application/x-www-form-urlencoded", "x-github-delivery": id });
    expect(res.status).toBe(202);
    expect((await stored(id))[0]?.body).toBe(body);
  });

  it("rejects a form-encoded payload signed over the decoded JSON", async () => {
    const form = `payload=${encodeURIComponent(body)}`;
    const res = await post(form, { "content-type": "application/x-www-form-urlencoded", "x-hub-signature-256": signGithub(SECRET, body) });
    expect(res.status).toBe(401);
  });

  it("answers 400 for a signed form without a payload field", async () => {
    expect((await post("other=1", { "content-type": "application/x-www-form-urlencoded" })).status).toBe(400);
  });

  it.each([
    { name: "text/xml", type: "text/xml" },
    { name: "text/plain", type: "text/plain" },
    { name: "JSON in latin1", type: "application/json; charset=latin1" },
  ])("answers 415 for $name even when signed", async ({ type }) => {
    const id = randomUUID();
    expect((await post(body, { "content-type": type, "x-github-delivery": id })).status).toBe(415);
    expect(await stored(id)).toHaveLength(0);
  });

  it("answers 415 without a content type", async () => {
    const res = await request(gate.app)
      .post("/webhooks/github")
      .set("x-github-event", "push")
      .set("x-github-delivery", randomUUID())
      .set("x-hub-signature-256", signGithub(SECRET, body))
      .send(Buffer.from(body));
    expect(res.status).toBe(415);
  });

  it("answers 415 for a compressed body", async () => {
    expect((await post(body, { "content-encoding": "gzip" })).status).toBe(415);
  });

  it.each([
    { name: "truncated JSON", payload: '{"ref":' },
    { name: "a JSON array", payload: "[1,2]" },
    { name: "a JSON string", payload: '"push"' },
  ])("answers 400 for $name under a valid signature", async ({ payload }) => {
    const id = randomUUID();
    expect((await post(payload, { "x-github-delivery": id })).status).toBe(400);
    expect(await stored(id)).toHaveLength(0);
  });

  it("answers 401, not 400, for malformed JSON with a bad signature", async () => {
    expect((await post('{"ref":', { "x-hub-signature-256": `sha256=${"1".repeat(64)}` })).status).toBe(401);
  });

  it("answers 503 and stores nothing when the store cannot commit", async () => {
    await gate.store.close();
    const res = await post(body);
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    // reopen so afterEach can close cleanly
    gate = await createTestGate();
  });

  describe("oversized bodies", () => {
    let server: http.Server;
    let port: number;
    beforeEach(async () => {
      server = gate.app.listen(0, "127.0.0.1");
      await new Promise((r) => server.once("listening", r));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    function send(headers: Record<string, string>, write: (req: http.ClientRequest) => void): Promise<number> {
      return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/webhooks/github", headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${"0".repeat(64)}`, ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        write(req);
      });
    }

    it("answers 413 for a declared 30 MB body without reading it", async () => {
      const status = await send({ "content-length": String(30 * 1024 * 1024) }, (req) => req.write("{"));
      expect(status).toBe(413);
    });

    it("answers 413 for a chunked body that grows past 25 MB, without reading the rest", async () => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const status = await send({ "transfer-encoding": "chunked" }, (req) => {
        let stop = false;
        req.on("response", () => (stop = true));
        req.on("error", () => undefined);
        const pump = () => {
          while (!stop && sent < 60) {
            sent++;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
          req.end();
        };
        pump();
      });
      expect(status).toBe(413);
      expect(sent).toBeLessThan(60);
    });
  });
});

describe("health endpoints", () => {
  it("answers /healthz and /readyz, and /readyz fails when the store is closed", async () => {
    const gate = await createTestGate();
    expect((await request(gate.app).get("/healthz")).status).toBe(200);
    expect((await request(gate.app).get("/readyz")).status).toBe(200);
    await gate.store.close();
    expect((await request(gate.app).get("/readyz")).status).toBe(503);
    expect((await request(gate.app).get("/nope")).status).toBe(404);
  });
});
