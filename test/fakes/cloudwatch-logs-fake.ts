import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One GetLogEvents (or other) request the fake received. */
export interface LogsCall {
  readonly op: string;
  readonly body: Record<string, unknown>;
  status: number;
  readonly at: number;
}

export interface LogsFake {
  readonly url: string;
  readonly calls: LogsCall[];
  /** GetLogEvents calls for one stream (or all). */
  getLogEventsCalls(stream?: string): number;
  /** Appends lines to a stream (created when new); each line is one event, `\n` ended as CodeBuild writes them. */
  append(group: string, stream: string, lines: readonly string[], at?: number): void;
  /** Every request is a 400 ThrottlingException while on. */
  throttle(on: boolean): void;
  /** Every request is this error (400) while set, e.g. AccessDeniedException. */
  failWith(type: string | undefined, message?: string): void;
  close(): Promise<void>;
}

const TARGET = "Logs_20140328.";
// CloudWatch Logs answers at most 10,000 events or 1 MB per call.
const MAX_EVENTS = 10_000;
const MAX_BYTES = 1024 * 1024;

interface Event {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

const tokenOf = (index: number) => `f/${String(index).padStart(56, "0")}/s`;
const indexOf = (token: string) => (/^f\/\d{56}\/s$/.test(token) ? Number(token.slice(2, 58)) : NaN);

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}

/**
 * A CloudWatch Logs fake on 127.0.0.1 (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.GetLogEvents`):
 * `startFromHead` reading, forward tokens (the token sent comes back when nothing is new),
 * `limit` and the 1 MB page cap, ResourceNotFoundException for an unknown stream, a throttling
 * switch, and every call recorded.
 */
export async function startLogsFake(): Promise<LogsFake> {
  const streams = new Map<string, Event[]>();
  const calls: LogsCall[] = [];
  let throttled = false;
  let failure: { type: string; message: string } | undefined;

  function getLogEvents(body: Record<string, unknown>) {
    const events = streams.get(`${String(body.logGroupName)}\n${String(body.logStreamName)}`);
    if (!events) return { type: "ResourceNotFoundException", message: "The specified log stream does not exist." };
    if (body.startFromHead !== true) return { type: "InvalidParameterException", message: "this fake reads from the head only" };
    const limit = typeof body.limit === "number" ? body.limit : MAX_EVENTS;
    if (limit < 1 || limit > MAX_EVENTS) return { type: "InvalidParameterException", message: "limit must be 1..10000" };
    const from = typeof body.nextToken === "string" ? indexOf(body.nextToken) : 0;
    if (Number.isNaN(from)) return { type: "InvalidParameterException", message: "The specified nextToken is invalid." };
    const page: Event[] = [];
    let bytes = 0;
    for (let i = from; i < events.length && page.length < limit; i++) {
      const e = events[i] as Event;
      bytes += Buffer.byteLength(e.message) + 26;
      if (bytes > MAX_BYTES && page.length > 0) break;
      page.push(e);
    }
    // No new events: the token sent comes back (the caller stops); otherwise the next position.
    const next = page.length === 0 && typeof body.nextToken === "string" ? body.nextToken : tokenOf(from + page.length);
    return { events: page, nextForwardToken: next, nextBackwardToken: `b/${String(from).padStart(56, "0")}/s` };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(TARGET) ? target.slice(TARGET.length) : target;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      return send(res, 400, { __type: "SerializationException", message: "not JSON" }, "SerializationException");
    }
    const call: LogsCall = { op, body, status: 0, at: Date.now() };
    calls.push(call);
    const fail = (status: number, type: string, message: string) => {
      call.status = status;
      send(res, status, { __type: type, message }, type);
    };
    if (throttled) return fail(400, "ThrottlingException", "Rate exceeded");
    if (failure) return fail(400, failure.type, failure.message);
    if (op !== "GetLogEvents" || req.method !== "POST") return fail(400, "UnknownOperationException", `unknown operation ${target}`);
    const out = getLogEvents(body);
    if ("type" in out) return fail(400, out.type as string, out.message as string);
    call.status = 200;
    send(res, 200, out);
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    getLogEventsCalls: (stream) => calls.filter((c) => c.op === "GetLogEvents" && (stream === undefined || c.body.logStreamName === stream)).length,
    append(group, stream, lines, at = Date.now()) {
      const key = `${group}\n${stream}`;
      const list = streams.get(key) ?? [];
      for (const line of lines) list.push({ timestamp: at, message: `${line}\n`, ingestionTime: at });
      streams.set(key, list);
    },
    throttle(on) {
      throttled = on;
    },
    failWith(type, message = "User is not authorized to perform: logs:GetLogEvents") {
      failure = type ? { type, message } : undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A three-phase CodeBuild log (BUILD fails on `npm test`), with ANSI colours and `<script>` text, `filler` lines long in BUILD. */
export function codebuildStyleLog(filler: number): string[] {
  const t = (s: number) => `[Container] 2026/12/07 10:00:${String(s).padStart(2, "0")}.123456`;
  const lines = [
    `${t(0)} Running on CodeBuild On-demand`,
    `${t(0)} Entering phase INSTALL`,
    `${t(1)} Running command npm ci`,
    "\u001b[32madded 412 packages\u001b[0m in 3s",
    `${t(4)} Phase complete: INSTALL State: SUCCEEDED`,
    `${t(4)} Phase context status code:  Message: `,
    `${t(4)} Entering phase PRE_BUILD`,
    `${t(4)} Running command npm run lint`,
    `${t(6)} Phase complete: PRE_BUILD State: SUCCEEDED`,
    `${t(6)} Phase context status code:  Message: `,
    `${t(6)} Entering phase BUILD`,
    `${t(6)} Running command npm test`,
    "<script>alert('log')</script>",
  ];
  for (let i = 0; i < filler; i++) lines.push(`\u001b[90m  ✓ test case ${i + 1} passes\u001b[0m (${i % 97} ms)`);
  lines.push(
    "\u001b[31m  ✕ adds numbers\u001b[0m",
    "    Expected: 3, Received: 4",
    `${t(59)} Command did not exit successfully npm test exit status 1`,
    `${t(59)} Phase complete: BUILD State: FAILED`,
    `${t(59)} Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: npm test. Reason: exit status 1`,
  );
  return lines;
}
