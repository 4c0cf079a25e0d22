import { Writable } from "node:stream";
import express from "express";
import pino from "pino";
import request from "supertest";
import { requestLogger } from "../../../src/web/request-logger.js";

describe("requestLogger", () => {
  it("logs the full path of a request handled by a mounted router, without the query", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
        done();
      },
    });
    const app = express();
    app.use(requestLogger(pino({ level: "debug" }, sink)));
    const router = express.Router();
    router.post("/", async (_req, res) => {
      await new Promise((r) => setTimeout(r, 5));
      res.status(202).json({ ok: true });
    });
    app.use("/webhooks/github", router);
    await request(app).post("/webhooks/github?x=secret").set("x-github-delivery", "d-1").expect(202);
    for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "request", method: "POST", path: "/webhooks/github", status: 202, deliveryId: "d-1" });
  });
});
