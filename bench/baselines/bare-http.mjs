// Baseline (1), the Node limit: node:http, HMAC-SHA256 over the raw bytes, JSON.parse, 202.
// Stores nothing. Prints "listening <url>".
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const secret = process.env.WEBHOOK_SECRET ?? "";
const reply = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) }).end(text);
};

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/webhooks/github") return reply(res, 404, { error: "not found" });
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers["x-hub-signature-256"] ?? ""));
    const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return reply(res, 401, { error: "bad signature" });
    try {
      JSON.parse(raw.toString("utf8"));
    } catch {
      return reply(res, 400, { error: "bad json" });
    }
    reply(res, 202, { status: "accepted", deliveryId: req.headers["x-github-delivery"] });
  });
});
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => console.log(`listening http://127.0.0.1:${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)) && server.closeAllConnections());
