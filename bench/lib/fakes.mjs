// Minimal local fakes that record when calls arrive: CodeBuild (AWS JSON 1.1) and GitHub statuses.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";

function listen(handler) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const close = (server) => new Promise((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});

const NEXT_PHASE = { SUBMITTED: "QUEUED", QUEUED: "PROVISIONING", PROVISIONING: "DOWNLOAD_SOURCE", DOWNLOAD_SOURCE: "INSTALL", INSTALL: "PRE_BUILD", PRE_BUILD: "BUILD" };

/** A build as BatchGetBuilds returns it (times in epoch seconds). */
export function fakeBuild(id, projectName, sourceVersion, phase = "SUBMITTED", startMs = Date.now()) {
  const start = startMs / 1000;
  return {
    id,
    arn: `arn:aws:codebuild:us-east-1:123456789012:build/${id}`,
    buildNumber: 1,
    projectName,
    buildStatus: "IN_PROGRESS",
    currentPhase: phase,
    buildComplete: false,
    sourceVersion,
    startTime: start,
    phases: [{ phaseType: "SUBMITTED", phaseStatus: phase === "SUBMITTED" ? undefined : "SUCCEEDED", startTime: start }],
    logs: { groupName: `/aws/codebuild/${projectName}`, streamName: id, deepLink: `https://console.aws.amazon.com/cloudwatch/home#logEvent:group=x;stream=${id}` },
  };
}

/**
 * CodeBuild: StartBuild (records arrival on the performance clock), BatchGetBuilds (from
 * `builds`, counting calls), StopBuild.
 */
export async function startCodeBuildFake({ onStartBuild } = {}) {
  const builds = new Map();
  const counts = { StartBuild: 0, BatchGetBuilds: 0, StopBuild: 0, batchIds: 0 };
  const server = await listen((req, res, text) => {
    const at = performance.now();
    const op = String(req.headers["x-amz-target"] ?? "").replace("CodeBuild_20161006.", "");
    const body = text ? JSON.parse(text) : {};
    counts[op] = (counts[op] ?? 0) + 1;
    let out;
    if (op === "StartBuild") {
      const id = `${body.projectName}:${randomUUID()}`;
      const build = fakeBuild(id, body.projectName, body.sourceVersion);
      builds.set(id, build);
      onStartBuild?.(body, at);
      out = { build };
    } else if (op === "BatchGetBuilds") {
      counts.batchIds += body.ids.length;
      out = { builds: body.ids.map((i) => builds.get(i)).filter(Boolean), buildsNotFound: body.ids.filter((i) => !builds.has(i)) };
    } else if (op === "StopBuild") {
      out = { build: builds.get(body.id) };
    } else if (op === "Bench.Counts") {
      out = counts;
    } else if (op === "Bench.AdvanceAll") {
      // Every build moves on to its next phase (the tracker then has a change for each).
      const t = Date.now() / 1000;
      for (const b of builds.values()) {
        const last = b.phases[b.phases.length - 1];
        Object.assign(last, { phaseStatus: "SUCCEEDED", endTime: t, durationInSeconds: Math.round(t - last.startTime) });
        b.currentPhase = NEXT_PHASE[b.currentPhase] ?? "BUILD";
        b.phases.push({ phaseType: b.currentPhase, startTime: t });
      }
      out = { builds: builds.size };
    } else {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "UnknownOperationException" }).end("{}");
      return;
    }
    const json = JSON.stringify(out);
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID(), "content-length": Buffer.byteLength(json) }).end(json);
  });
  return { url: `http://127.0.0.1:${server.address().port}`, builds, counts, close: () => close(server) };
}

/** GitHub: commit statuses (records arrival), pull request files (none); anything else 404. */
export async function startGithubFake({ onStatus } = {}) {
  const counts = { statuses: 0, other: 0 };
  const server = await listen((req, res, text) => {
    const at = performance.now();
    const json = (status, body) => {
      const s = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600), "content-length": Buffer.byteLength(s) }).end(s);
    };
    const status = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(req.url ?? "");
    if (req.method === "POST" && status) {
      counts.statuses++;
      const body = JSON.parse(text);
      onStatus?.({ repository: `${status[1]}/${status[2]}`, sha: status[3], ...body }, at);
      json(201, { id: counts.statuses, state: body.state, description: body.description, context: body.context, target_url: body.target_url ?? null, created_at: new Date().toISOString() });
      return;
    }
    counts.other++;
    if (req.method === "GET" && /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files/.test(req.url ?? "")) return json(200, []);
    json(404, { message: "Not Found" });
  });
  return { url: `http://127.0.0.1:${server.address().port}`, counts, close: () => close(server) };
}
