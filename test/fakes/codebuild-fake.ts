import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake received, in arrival order. `status` is 0 when the socket was reset. */
export interface RecordedCall {
  readonly op: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  status: number;
  /** Arrival time, epoch ms. */
  readonly at: number;
}

export type FakeBuildStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "FAULT" | "TIMED_OUT" | "STOPPED";

/** CodeBuild's `phases[].contexts[]`: finished phases carry `[{ statusCode: "", message: "" }]`, a failed one why it failed. */
export interface FakePhaseContext {
  statusCode: string;
  message: string;
}

export interface FakePhase {
  phaseType: string;
  phaseStatus?: string;
  startTime: number;
  endTime?: number;
  durationInSeconds?: number;
  contexts?: FakePhaseContext[];
}

/** A build as CodeBuild's JSON returns it (times in epoch seconds). Tests may edit it; BatchGetBuilds returns it as it is. */
export interface FakeBuild {
  id: string;
  arn: string;
  buildNumber: number;
  projectName: string;
  buildStatus: FakeBuildStatus;
  currentPhase: string;
  buildComplete: boolean;
  sourceVersion?: string;
  resolvedSourceVersion?: string;
  startTime: number;
  endTime?: number;
  phases: FakePhase[];
  /** CloudWatch logs on (CodeBuild's default); a test may switch them to S3 only. */
  logs: { groupName?: string; streamName?: string; deepLink: string; cloudWatchLogs?: { status: "ENABLED" | "DISABLED" }; s3Logs?: { status: "ENABLED" | "DISABLED"; location?: string } };
  environment: { type: string; image: string; computeType: string; environmentVariables: Array<{ name: string; value: string; type: string }> };
  initiator: string;
}

export interface FakeFailure {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface CodeBuildFakeOptions {
  /** Known project names; StartBuild for another is ResourceNotFoundException. Any name when omitted. */
  readonly projects?: readonly string[];
  readonly region?: string;
  readonly accountId?: string;
  /** Clock in epoch milliseconds, for build times and the 5-minute idempotency window. */
  readonly now?: () => number;
  /** ListBuildsForProject page size (CodeBuild: 100); smaller makes paging visible with few builds. */
  readonly listPageSize?: number;
}

export interface CodeBuildFake {
  /** Base URL for the SDK's `endpoint`. */
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Builds by id. */
  readonly builds: Map<string, FakeBuild>;
  /**
   * Fails the next `n` requests (any operation, or only `match.op`) with `failure`, or by destroying the
   * socket ("reset"). Replaces any failures still planned.
   */
  failNext(n: number, failure: FakeFailure | "reset", match?: { op?: string }): void;
  /** Appends failures to the plan, one request each, in order (after those already planned). */
  failSequence(failures: ReadonlyArray<FakeFailure | "reset">, match?: { op?: string }): void;
  /** Failures planned and not yet served. */
  readonly pendingFailures: () => number;
  /** Sets the known projects; undefined accepts any project. */
  setProjects(names: readonly string[] | undefined): void;
  /**
   * The next `n` requests of `op` are carried out (a StartBuild creates its build) but never
   * answered, as when the caller dies or the response is lost; their sockets close with the fake.
   */
  holdNext(n: number, op: string): void;
  /** The next `n` requests of `op` are carried out at once and answered `ms` later (a slow API). */
  delayNext(n: number, op: string, ms: number): void;
  close(): Promise<void>;
}

const TARGET_PREFIX = "CodeBuild_20161006.";
const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
const invalidInput = (message: string) => new ApiError(400, "InvalidInputException", message);
const notFound = (message: string) => new ApiError(400, "ResourceNotFoundException", message);

/** Marks a fake build finished with `status`, as CodeBuild reports a completed build. */
export function finishFakeBuild(build: FakeBuild, status: Exclude<FakeBuildStatus, "IN_PROGRESS">, nowMs = Date.now()): void {
  const end = nowMs / 1000;
  build.buildStatus = status;
  build.buildComplete = true;
  build.currentPhase = "COMPLETED";
  build.endTime = end;
  build.phases.push({ phaseType: "COMPLETED", startTime: end });
}

/** JSON with sorted keys, so equal parameters compare equal whatever their order. */
function fingerprint(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
  return createHash("sha256").update(JSON.stringify(sorted(value))).digest("hex");
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ApiError(400, "SerializationException", "request body is not a JSON object");
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}

/** Starts a local AWS CodeBuild fake (AWS JSON 1.1: StartBuild, BatchGetBuilds, StopBuild, ListBuildsForProject) on 127.0.0.1. */
export async function startCodeBuildFake(options: CodeBuildFakeOptions = {}): Promise<CodeBuildFake> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const now = options.now ?? Date.now;
  const calls: RecordedCall[] = [];
  const builds = new Map<string, FakeBuild>();
  const tokens = new Map<string, { fingerprint: string; buildId: string; at: number }>();
  const buildNumbers = new Map<string, number>();
  let projects: ReadonlySet<string> | undefined = options.projects && new Set(options.projects);
  let failures: Array<{ remaining: number; what: FakeFailure | "reset"; op?: string }> = [];

  function startBuild(body: Record<string, unknown>): { build: FakeBuild } {
    const projectName = body.projectName;
    if (typeof projectName !== "string" || projectName === "") throw invalidInput("1 validation error detected: Value null at 'projectName' failed to satisfy constraint: Member must not be null");
    const token = typeof body.idempotencyToken === "string" ? body.idempotencyToken : undefined;
    const { idempotencyToken: _token, ...params } = body;
    const print = fingerprint(params);
    const previous = token === undefined ? undefined : tokens.get(token);
    if (previous && now() - previous.at < IDEMPOTENCY_WINDOW_MS) {
      if (previous.fingerprint !== print) throw invalidInput(`Idempotency token ${token} was already used with different parameters`);
      const existing = builds.get(previous.buildId);
      if (existing) return { build: existing };
    }
    if (projects && !projects.has(projectName)) throw notFound(`Project cannot be found: arn:aws:codebuild:${region}:${accountId}:project/${projectName}`);

    const uuid = randomUUID();
    const id = `${projectName}:${uuid}`;
    const buildNumber = (buildNumbers.get(projectName) ?? 0) + 1;
    buildNumbers.set(projectName, buildNumber);
    const start = now() / 1000;
    const overrides = Array.isArray(body.environmentVariablesOverride) ? (body.environmentVariablesOverride as Array<{ name: string; value: string; type?: string }>) : [];
    const groupName = `/aws/codebuild/${projectName}`;
    const build: FakeBuild = {
      id,
      arn: `arn:aws:codebuild:${region}:${accountId}:build/${id}`,
      buildNumber,
      projectName,
      buildStatus: "IN_PROGRESS",
      currentPhase: "SUBMITTED",
      buildComplete: false,
      ...(typeof body.sourceVersion === "string" ? { sourceVersion: body.sourceVersion } : {}),
      startTime: start,
      phases: [{ phaseType: "SUBMITTED", startTime: start }],
      logs: { groupName, streamName: uuid, cloudWatchLogs: { status: "ENABLED" }, s3Logs: { status: "DISABLED" }, deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${region}#logEvent:group=${groupName};stream=${uuid}` },
      environment: {
        type: "LINUX_CONTAINER",
        image: "aws/codebuild/standard:7.0",
        computeType: "BUILD_GENERAL1_SMALL",
        environmentVariables: overrides.map((v) => ({ name: v.name, value: v.value, type: v.type ?? "PLAINTEXT" })),
      },
      initiator: "buildgate-test",
    };
    builds.set(id, build);
    if (token !== undefined) tokens.set(token, { fingerprint: print, buildId: id, at: now() });
    return { build };
  }

  function batchGetBuilds(body: Record<string, unknown>): { builds: FakeBuild[]; buildsNotFound: string[] } {
    const ids = body.ids;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100 || !ids.every((i) => typeof i === "string")) {
      throw invalidInput("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100");
    }
    const found = ids.map((i) => builds.get(i as string)).filter((b): b is FakeBuild => b !== undefined);
    return { builds: found, buildsNotFound: (ids as string[]).filter((i) => !builds.has(i)) };
  }

  function stopBuild(body: Record<string, unknown>): { build: FakeBuild } {
    const build = typeof body.id === "string" ? builds.get(body.id) : undefined;
    if (!build) throw notFound(`Build ${String(body.id)} not found`);
    if (!build.buildComplete) finishFakeBuild(build, "STOPPED", now());
    return { build };
  }

  /** Build ids of a project by build number, newest first (CodeBuild's default), in pages with an opaque nextToken. */
  function listBuildsForProject(body: Record<string, unknown>): { ids: string[]; nextToken?: string } {
    const projectName = body.projectName;
    if (typeof projectName !== "string" || projectName === "") throw invalidInput("1 validation error detected: Value null at 'projectName' failed to satisfy constraint: Member must not be null");
    if (projects && !projects.has(projectName)) throw notFound(`Project cannot be found: arn:aws:codebuild:${region}:${accountId}:project/${projectName}`);
    const ascending = body.sortOrder === "ASCENDING";
    const ids = [...builds.values()].filter((b) => b.projectName === projectName).sort((a, b) => (ascending ? a.buildNumber - b.buildNumber : b.buildNumber - a.buildNumber)).map((b) => b.id);
    let offset = 0;
    if (body.nextToken !== undefined) {
      offset = typeof body.nextToken === "string" ? Number(Buffer.from(body.nextToken, "base64url").toString("utf8").replace(/^offset:/, "")) : NaN;
      if (!Number.isInteger(offset) || offset < 0) throw invalidInput("Invalid next token");
    }
    const size = options.listPageSize ?? 100;
    const page = ids.slice(offset, offset + size);
    return { ids: page, ...(offset + size < ids.length ? { nextToken: Buffer.from(`offset:${offset + size}`).toString("base64url") } : {}) };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = { StartBuild: startBuild, BatchGetBuilds: batchGetBuilds, StopBuild: stopBuild, ListBuildsForProject: listBuildsForProject };
  const holds: Array<{ remaining: number; op: string }> = [];
  const delays: Array<{ remaining: number; op: string; ms: number }> = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let call: RecordedCall | undefined;
    try {
      const body = await readBody(req);
      call = { op, body, headers: req.headers, status: 0, at: Date.now() };
      calls.push(call);
      const rule = failures.find((f) => f.remaining > 0 && (f.op === undefined || f.op === op));
      if (rule) {
        const what = rule.what;
        if (--rule.remaining === 0) failures.splice(failures.indexOf(rule), 1);
        if (what === "reset") return void req.socket.destroy();
        throw new ApiError(what.status, what.type, what.message);
      }
      const operation = req.method === "POST" && req.url === "/" && target.startsWith(TARGET_PREFIX) ? operations[op] : undefined;
      if (!operation) throw new ApiError(400, "UnknownOperationException", `unknown operation ${target || "(no X-Amz-Target)"}`);
      const result = operation(body);
      const hold = holds.find((h) => h.remaining > 0 && h.op === op);
      if (hold) {
        hold.remaining--;
        call.status = 200;
        return; // carried out, never answered
      }
      call.status = 200;
      const delay = delays.find((d) => d.remaining > 0 && d.op === op);
      if (delay) {
        delay.remaining--;
        await new Promise((resolve) => setTimeout(resolve, delay.ms));
      }
      send(res, 200, result);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, "InternalFailure", String(err));
      if (call) call.status = e.status;
      else calls.push({ op, body: {}, headers: req.headers, status: e.status, at: Date.now() });
      send(res, e.status, { __type: e.type, message: e.message }, e.type);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    builds,
    failNext(n, what, match = {}) {
      failures = n > 0 ? [{ remaining: n, what, ...match }] : [];
    },
    failSequence(list, match = {}) {
      for (const what of list) failures.push({ remaining: 1, what, ...match });
    },
    pendingFailures: () => failures.reduce((n, f) => n + f.remaining, 0),
    holdNext(n, op) {
      if (n > 0) holds.push({ remaining: n, op });
    },
    delayNext(n, op, ms) {
      if (n > 0) delays.push({ remaining: n, op, ms });
    },
    setProjects(names) {
      projects = names && new Set(names);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
