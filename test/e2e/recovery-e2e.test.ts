import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodeBuildClient, StartBuildCommand } from "@aws-sdk/client-codebuild";
import SqliteDatabase from "better-sqlite3";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { pushExample } from "../helpers/github-examples.js";
import { deliverGithub, waitFor, writeCodeBuildConfig } from "./e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

const SECRET = "e2e-secret-0123456789";
const SHA = "f".repeat(40);
const MINUTE = 60_000;

/** The builds table, read (or written) outside the server, as the store rows fake the clock. */
function withDb<T>(path: string, fn: (db: SqliteDatabase.Database) => T): T {
  const db = new SqliteDatabase(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe("e2e: a start retried after CodeBuild's 5-minute idempotency window", () => {
  let dir: string;
  let fake: CodeBuildFake;
  let gate: RunningBuildgate | undefined;
  let config: string;
  // CodeBuild's clock: the test moves it past the token's window instead of waiting 5 minutes.
  let awsOffset = 0;
  const env = { E2E_SECRET: SECRET };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-recovery-"));
    awsOffset = 0;
    fake = await startCodeBuildFake({ projects: ["hello-ci"], now: () => Date.now() + awsOffset });
    config = writeCodeBuildConfig(dir, fake.url);
  });
  afterEach(async () => {
    await gate?.kill9();
    gate = undefined;
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds the build an earlier attempt started by BUILDGATE_BUILD_KEY after a restart, and does not start a second one", async () => {
    // 1. StartBuild reaches CodeBuild (the build exists) but its answer never comes back; buildgate dies.
    fake.holdNext(1, "StartBuild");
    gate = await spawnBuildgate(config, env);
    expect((await deliverGithub(gate, SECRET, "push", pushExample({ after: SHA }))).status).toBe(202);
    await waitFor("the held StartBuild", () => fake.builds.size === 1);
    await gate.kill9();
    const [cbBuild] = [...fake.builds.values()];
    const row = withDb(join(dir, "bg.db"), (db) => db.prepare("select state, dedupe_key, external_id, first_start_at from builds").get()) as { state: string; dedupe_key: string; external_id: string | null; first_start_at: number | null };
    expect(row).toMatchObject({ state: "pending", external_id: null, first_start_at: expect.any(Number) });
    expect(cbBuild?.environment.environmentVariables).toContainEqual({ name: "BUILDGATE_BUILD_KEY", value: row.dedupe_key, type: "PLAINTEXT" });

    // 2. Ten minutes pass (both clocks): CodeBuild has forgotten the idempotency token.
    awsOffset = 10 * MINUTE;
    withDb(join(dir, "bg.db"), (db) => db.prepare("update builds set first_start_at = first_start_at - ?").run(10 * MINUTE));

    // 3. The restart runs the start job again: it looks for the build by key and adopts it.
    gate = await spawnBuildgate(config, env);
    const adopted = await waitFor("the build adopted", () => {
      const b = withDb(join(dir, "bg.db"), (db) => db.prepare("select state, external_id from builds").get()) as { state: string; external_id: string | null };
      return b.external_id !== null && b;
    });
    expect(adopted).toEqual({ state: "queued", external_id: cbBuild?.id });
    expect(fake.builds.size).toBe(1);
    const ops = fake.calls.map((c) => c.op);
    expect(ops.filter((op) => op === "StartBuild")).toHaveLength(1);
    expect(ops).toContain("ListBuildsForProject");
    expect(gate.output()).toContain("found the build an earlier start attempt started");
    // The stuck-build sweep is scheduled at start, like the tracker.
    const singletons = withDb(join(dir, "bg.db"), (db) => db.prepare("select distinct dedupe_key from jobs where kind in ('track_builds', 'sweep_stuck') order by 1").all());
    expect(singletons).toEqual([{ dedupe_key: "sweeper" }, { dedupe_key: "tracker" }]);

    // Without the lookup, the same token would now have started a second build.
    const client = new CodeBuildClient({ region: "us-east-1", endpoint: fake.url, credentials: { accessKeyId: "x", secretAccessKey: "y" } });
    const first = fake.calls.find((c) => c.op === "StartBuild")?.body;
    const again = await client.send(new StartBuildCommand(first as never));
    client.destroy();
    expect(again.build?.id).not.toBe(cbBuild?.id);
  }, 60_000);
});
