import { rmSync } from "node:fs";
import { join } from "node:path";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { waitFor } from "../e2e/e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { commit, exactlyOnce, newStats, pushDelivery, seeded, sendUntilAcked, sleep, summary, tempDir, writeConfig } from "./fault-helpers.js";

const SECRET = "fault-kill9-secret-0123456789";
const TOTAL = 1000;
const KILLS = 3;
// Change the seed to move the kills; the summary line prints it so a failure can be replayed.
const SEED = Number(process.env.BUILDGATE_FAULT_SEED ?? 7);

describe("fault: kill -9 at random moments while 1,000 deliveries arrive (SQLite)", () => {
  let dir: string;
  let fake: CodeBuildFake;
  let gate: RunningBuildgate | undefined;

  beforeAll(async () => {
    dir = tempDir("kill9");
    fake = await startCodeBuildFake({ projects: ["hello-ci"] });
  });
  afterAll(async () => {
    await gate?.kill9();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loses nothing and duplicates nothing: every acknowledged delivery builds exactly once", async () => {
    const config = writeConfig(dir, { storeUrl: `sqlite:${join(dir, "bg.db")}`, secret: SECRET, codebuildUrl: fake.url });
    const random = seeded(SEED);
    const deliveries = Array.from({ length: TOTAL }, (_, i) => pushDelivery(commit("c0ffee", i)));
    // Kill after a random number of acknowledgements (spread over the run), plus a random few ms.
    const killAfterAcks = Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 0.15 + random() * 0.7) * TOTAL) / KILLS)).sort((a, b) => a - b);
    const killJitterMs = killAfterAcks.map(() => Math.floor(random() * 120));

    gate = await spawnBuildgate(config);
    let current = gate;
    const stats = newStats();
    const started = Date.now();
    let kills = 0;
    let down = 0;
    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await waitFor(`${killAfterAcks[k]} acknowledgements`, () => stats.acked.size >= (killAfterAcks[k] as number) || stats.acked.size >= TOTAL, 120_000);
        if (stats.acked.size >= TOTAL) break;
        await sleep(killJitterMs[k] as number);
        const t = Date.now();
        await current.kill9();
        kills++;
        // Restart on the same store at once; senders meanwhile get refused connections and retry.
        current = await spawnBuildgate(config);
        gate = current;
        down += Date.now() - t;
      }
    })();
    await sendUntilAcked(deliveries, { secret: SECRET, target: () => current.url, concurrency: 16, deadlineMs: 120_000, stats, retryDelayMs: 150 });
    await killer;

    // Every delivery was acknowledged at least once; wait for the last build, then check nothing more starts.
    await waitFor(`${TOTAL} builds`, () => fake.builds.size >= TOTAL, 60_000);
    const lastBuildAt = Math.max(...[...fake.builds.values()].map((b) => b.startTime * 1000));
    await sleep(1000);
    const check = exactlyOnce(fake, deliveries.map((d) => d.sha));
    summary("kill -9 (SQLite)", {
      seed: SEED,
      deliveries: TOTAL,
      kills,
      killedAfterAcks: killAfterAcks.slice(0, kills).join("/"),
      acked: stats.acked.size,
      resent: stats.retries,
      answers: JSON.stringify(Object.fromEntries(stats.statuses)),
      lost: check.lost.length,
      duplicated: check.duplicated,
      builds: check.builds,
      downMs: down,
      drainMs: Math.max(0, Math.round(lastBuildAt - stats.lastAckAt)),
      totalMs: Date.now() - started,
    });
    expect(kills).toBe(KILLS);
    expect(stats.acked.size).toBe(TOTAL);
    expect(check.lost).toEqual([]);
    expect(check.duplicated).toBe(0);
    expect(check.tokenReuse).toBe(0);
    expect(check.builds).toBe(TOTAL);
  }, 180_000);
});
