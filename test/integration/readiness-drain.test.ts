import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import SqliteDatabase from "better-sqlite3";
import request from "supertest";
import { pushExample } from "../helpers/github-examples.js";
import { sampleOf } from "../helpers/prometheus.js";
import { signGithub } from "../helpers/sign.js";
import { createTestGate, SECRET, type TestGate } from "../helpers/test-gate.js";

const body = JSON.stringify(pushExample());
const headers = (deliveryId: string) => ({ "content-type": "application/json", "x-github-event": "push", "x-github-delivery": deliveryId, "x-hub-signature-256": signGithub(SECRET, body) });

describe("/readyz", () => {
  let gate: TestGate;
  beforeEach(async () => {
    gate = await createTestGate();
  });
  afterEach(async () => {
    await gate.close();
  });

  it("is ready while the store answers and has every migration", async () => {
    const res = await request(gate.app).get("/readyz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ready" });
  });

  it("answers 503 with the reason when the store lacks a migration this version needs", async () => {
    const db = new SqliteDatabase(gate.config.store.url.slice("sqlite:".length));
    db.exec("delete from kysely_migration where name = '003-board'");
    db.close();
    const res = await request(gate.app).get("/readyz");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: "unavailable", error: "store schema is not current: run `buildgate migrate`" });
    expect((await request(gate.app).get("/healthz")).status).toBe(200);
  });

  it("answers 503 when the store does not answer", async () => {
    await gate.store.close();
    const res = await request(gate.app).get("/readyz");
    expect(res.status).toBe(503);
    expect(res.body.error).toBe("store does not answer");
  });
});

describe("draining (shutting down)", () => {
  let gate: TestGate;
  beforeEach(async () => {
    gate = await createTestGate();
  });
  afterEach(async () => {
    await gate.close();
  });

  it("refuses new deliveries with 503 and Retry-After, stores nothing, fails /readyz, keeps /healthz and /metrics", async () => {
    gate.drain.drain();
    const id = randomUUID();
    const res = await request(gate.app).post("/webhooks/github").set(headers(id)).send(body);
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("10");
    expect(res.headers.connection).toBe("close");
    expect(res.body).toEqual({ error: "shutting down; retry later" });
    expect(await gate.store.findDeliveries(id)).toEqual([]);

    const ready = await request(gate.app).get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: "unavailable", error: "shutting down" });
    expect((await request(gate.app).get("/healthz")).status).toBe(200);
    const metrics = await request(gate.app).get("/metrics");
    expect(metrics.status).toBe(200);
    expect(sampleOf(metrics.text, "buildgate_deliveries_total", { source: "github", outcome: "failed_503" })).toBe(1);
  });

  it("lets a delivery already being received finish: it is stored and answered 202", async () => {
    const server = http.createServer(gate.app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const id = randomUUID();
      const { port } = server.address() as AddressInfo;
      const answer = new Promise<number>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: "/webhooks/github", method: "POST", headers: { ...headers(id), "content-length": Buffer.byteLength(body) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        // Half the body now; the drain starts while the rest is on its way.
        req.write(body.slice(0, 100));
        setTimeout(() => {
          gate.drain.drain();
          req.end(body.slice(100));
        }, 100);
      });
      expect(await answer).toBe(202);
      expect(await gate.store.findDeliveries(id)).toHaveLength(1);
      expect((await request(gate.app).post("/webhooks/github").set(headers(randomUUID())).send(body)).status).toBe(503);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
