import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { waitFor } from "../e2e/e2e-helpers.js";
import { commit, logLines, post, pushDelivery, sleep, summary, tempDir, within, writeConfig } from "./fault-helpers.js";

const SECRET = "fault-hostile-secret-0123456789";
const MB = 1024 * 1024;

/** A raw connection to the gate that records what the server sends and when it closes. */
interface RawClient {
  readonly socket: Socket;
  readonly opened: number;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the close time. */
  readonly closed: Promise<number>;
  /** Resolves with the status line's code once one arrived. */
  readonly status: Promise<number>;
}

function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = "";
    let gotStatus: (code: number) => void = () => undefined;
    const status = new Promise<number>((r) => (gotStatus = r));
    const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now())));
    socket.on("data", (d: Buffer) => {
      data += d.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) gotStatus(Number(m[1]));
    });
    socket.on("error", () => undefined); // EPIPE/ECONNRESET after the server hung up: expected here
    socket.once("connect", () => resolve({ socket, opened: Date.now(), received: () => data, closed, status }));
    socket.once("error", reject);
  });
}

const githubHead = (length: string, deliveryId: string = randomUUID()) =>
  [
    "POST /webhooks/github HTTP/1.1",
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    "X-GitHub-Event: push",
    `X-GitHub-Delivery: ${deliveryId}`,
    `X-Hub-Signature-256: sha256=${"0".repeat(64)}`,
    length,
    "",
    "",
  ].join("\r\n");


describe("fault: slow and hostile clients against the real process", () => {
  let dir: string;
  let fake: CodeBuildFake;
  let gate: RunningBuildgate;
  const numbers: Record<string, unknown> = {};

  beforeAll(async () => {
    dir = tempDir("hostile");
    fake = await startCodeBuildFake({ projects: ["hello-ci"] });
    gate = await spawnBuildgate(writeConfig(dir, { storeUrl: `sqlite:${join(dir, "bg.db")}`, secret: SECRET, codebuildUrl: fake.url }));
  });
  afterAll(async () => {
    await gate?.kill9();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
    summary("slow and hostile clients", numbers);
  });

  it("slowloris: trickled headers block nobody, and the server closes them after headersTimeout (10 s)", async () => {
    // Twenty connections each send a request line, then one header line a second, never finishing.
    const slow = await Promise.all(Array.from({ length: 20 }, () => rawClient(gate.url)));
    for (const c of slow) c.socket.write("POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; trickling && i < 30; i++) {
        await sleep(1000);
        for (const c of slow) if (!c.socket.destroyed) c.socket.write(`X-Slow-${i}: ${"a".repeat(8)}\r\n`);
      }
    })();
    try {
      // Meanwhile a normal delivery is accepted at once.
      await sleep(1500);
      const t = Date.now();
      const answer = await post(gate.url, SECRET, pushDelivery(commit("5105", 1)));
      const normalMs = Date.now() - t;
      expect(answer.status).toBe(202);
      expect(normalMs).toBeLessThan(2000);
      numbers.normalDeliveryDuringSlowlorisMs = normalMs;

      const closedAfter = await within(Promise.all(slow.map(async (c) => (await c.closed) - c.opened)), 15_000, "closing the slow connections");
      // Closed by the server (408), not by us, between 10 s and about 12 s after connecting.
      for (const ms of closedAfter) {
        expect(ms).toBeGreaterThanOrEqual(9_500);
        expect(ms).toBeLessThanOrEqual(13_000);
      }
      for (const c of slow) expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
      numbers.slowlorisClosedAfterMs = `${Math.min(...closedAfter)}-${Math.max(...closedAfter)}`;
    } finally {
      trickling = false;
      await trickle;
      for (const c of slow) c.socket.destroy();
    }
  }, 30_000);

  const clients: RawClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.socket.destroy();
  });

  it("a 30 MB Content-Length gets 413 at once, without the body being sent", async () => {
    const c = await rawClient(gate.url);
    clients.push(c);
    const t = Date.now();
    c.socket.write(githubHead(`Content-Length: ${30 * MB}`));
    const status = await within(c.status, 3000, "a 413");
    const ms = Date.now() - t;
    expect(status).toBe(413);
    expect(ms).toBeLessThan(1000);
    expect(c.received()).toMatch(/\r\nconnection: close\r\n/i);
    await within(c.closed, 3000, "the server closing the connection");
    numbers.contentLength30MbAnsweredMs = ms;
  });

  it("a chunked body growing past 25 MB gets 413 and is cut off", async () => {
    const c = await rawClient(gate.url);
    clients.push(c);
    const deliveryId = randomUUID();
    c.socket.write(githubHead("Transfer-Encoding: chunked", deliveryId));
    const chunk = Buffer.alloc(MB, "a");
    let sent = 0;
    let answered = false;
    void c.status.then(() => (answered = true));
    // Send 1 MiB chunks until the server answers (bounded: 40 MiB, which it must never need).
    while (!answered && !c.socket.destroyed && sent < 40 * MB) {
      c.socket.write(`${chunk.length.toString(16)}\r\n`);
      c.socket.write(chunk);
      const ok = c.socket.write("\r\n");
      sent += chunk.length;
      if (!ok) await Promise.race([new Promise((r) => c.socket.once("drain", r)), c.closed, c.status]);
    }
    await within(c.closed, 5000, "the server closing the connection");
    // The server answered 413 and closed without reading the rest. Closing a socket with unread
    // data makes the kernel send a reset, which may drop the 413 before this client reads it: so
    // the client saw a 413 or a reset, and the server's request log has the 413.
    const seen = /^HTTP\/1\.1 (\d{3})/.exec(c.received())?.[1];
    if (seen !== undefined) expect(seen).toBe("413");
    const logged = await waitFor("the request log line", () => logLines(gate.output()).find((l) => l.msg === "request" && l.deliveryId === deliveryId), 2000).catch(() => undefined);
    if (logged) expect(logged.status).toBe(413);
    expect(seen !== undefined || logged !== undefined).toBe(true);
    // Nothing was stored.
    expect((await fetch(`${gate.url}/api/deliveries/${deliveryId}/explain`)).status).toBe(404);
    // It could not know before the limit, and stopped reading soon after it.
    expect(sent).toBeGreaterThan(25 * MB);
    expect(sent).toBeLessThan(40 * MB);
    numbers.chunkedSentMbBefore413 = Math.round(sent / MB);
    numbers.chunked413SeenByClient = seen === "413";
  }, 30_000);
});
