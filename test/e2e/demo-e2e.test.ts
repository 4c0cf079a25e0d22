import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./e2e-helpers.js";
import { runCli, spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

interface ApiBuild {
  id: number;
  state: string;
  description: string;
}

describe("e2e: the embedded default, from a fresh start to a finished demo build", () => {
  let dir: string;
  let gate: RunningBuildgate | undefined;

  beforeAll(() => {
    // A fresh checkout's files, no config/buildgate.yaml, no BUILDGATE_CONFIG, no data.
    dir = mkdtempSync(join(tmpdir(), "buildgate-demo-"));
    cpSync(join(process.cwd(), "config"), join(dir, "config"), { recursive: true });
    cpSync(join(process.cwd(), "examples"), join(dir, "examples"), { recursive: true });
  });
  afterAll(async () => {
    await gate?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts on the demo config, takes send-test, runs the local build to SUCCEEDED and shows its phases", async () => {
    gate = await spawnBuildgate(undefined, { HOME: process.env.HOME }, dir);
    expect(gate.output()).toContain("DEMO MODE");
    expect(gate.output()).toMatch(/buildgate demo webhook secret \(kept in .*data\/demo-secret\): [0-9a-f]{48}/);
    expect(existsSync(join(dir, "data", "buildgate.db"))).toBe(true);
    const secret = readFileSync(join(dir, "data", "demo-secret"), "utf8").trim();
    expect(gate.output()).not.toContain(`"${secret}"`);

    const sent = await runCli(["send-test", "push", "--url", gate.url], { HOME: process.env.HOME }, dir);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain("HTTP 202");
    expect(sent.stdout).toMatch(/✔ demo: matched: push to main starts demo-ci → http:\/\/127\.0\.0\.1:\d+\/builds\/1/);

    const build = await waitFor(
      "the demo build to succeed",
      async () => {
        const res = await fetch(`${gate!.url}/api/builds/1`);
        const body = (await res.json()) as { build: ApiBuild; phases: Array<{ type: string; status: string }> };
        return body.build.state === "succeeded" ? body : undefined;
      },
      30_000,
    );
    expect(build.build.description).toMatch(/^Succeeded in \d+s$/);
    const statuses = Object.fromEntries(build.phases.map((p) => [p.type, p.status]));
    expect(statuses).toMatchObject({ DOWNLOAD_SOURCE: "SUCCEEDED", INSTALL: "SUCCEEDED", PRE_BUILD: "SUCCEEDED", BUILD: "SUCCEEDED", POST_BUILD: "SUCCEEDED", UPLOAD_ARTIFACTS: "SUCCEEDED" });

    const page = await (await fetch(`${gate.url}/builds/1`)).text();
    expect(page).toContain("Demo mode");
    expect(page).toMatch(/data-phase="BUILD" class="phase tone-success"/);
    // The local runner's log, linked from the build like CloudWatch logs are for CodeBuild.
    const { build: withLinks } = (await (await fetch(`${gate.url}/api/builds/1`)).json()) as { build: { links: { logs: string } } };
    const log = await (await fetch(`${gate.url}${new URL(withLinks.links.logs).pathname}`)).text();
    expect(log).toContain("Running command echo \"$GREETING\" > greeting.txt");
    expect(log).toContain("Phase complete: BUILD State: SUCCEEDED");
  }, 60_000);
});
