// Baseline (2), what most teams would write: Express 5 + @octokit/webhooks' createNodeMiddleware
// with a no-op handler. Stores nothing. Prints "listening <url>".
import { createNodeMiddleware, Webhooks } from "@octokit/webhooks";
import express from "express";

const webhooks = new Webhooks({ secret: process.env.WEBHOOK_SECRET ?? "" });
webhooks.onAny(() => {});
const app = express();
app.use(createNodeMiddleware(webhooks, { path: "/webhooks/github", log: { debug() {}, info() {}, warn() {}, error() {} } }));
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => console.log(`listening http://127.0.0.1:${server.address().port}`));
server.keepAliveTimeout = 5_000;
process.on("SIGTERM", () => server.close(() => process.exit(0)) && server.closeAllConnections());
