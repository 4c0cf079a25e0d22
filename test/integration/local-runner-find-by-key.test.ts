import { rmSync } from "node:fs";
import { createLocalBuilder, type LocalBuilder } from "../../src/builders/local/local-builder.js";
import { createRouteBuilder } from "../../src/builders/route-builder.js";
import type { Builder } from "../../src/domain/builder.js";
import type { RouteRule } from "../../src/domain/route-rule.js";
import { RecordingBuilder } from "../fakes/recording-builder.js";
import { finished, request, tempDir } from "./local-runner-helpers.js";

const spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n";

describe("local runner: findByKey", () => {
  let workDir: string;
  let builders: LocalBuilder[];
  const make = () => {
    const b = createLocalBuilder({ workDir, sources: () => undefined, buildspec: () => spec });
    builders.push(b);
    return b;
  };
  beforeEach(() => {
    workDir = tempDir("local-key");
    builders = [];
  });
  afterEach(async () => {
    await Promise.all(builders.map((b) => b.close()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("finds the build started with BUILDGATE_BUILD_KEY, also after a restart; not in another project or before `since`", async () => {
    const b = make();
    const before = Date.now();
    const started = await b.start(request({ env: { BUILDGATE_BUILD_KEY: "github|acme/api|ok|push|refs/heads/main|abc" } }));
    expect(await b.findByKey!("demo", "github|acme/api|ok|push|refs/heads/main|abc", before - 1000)).toEqual(started);
    await finished(b, started.buildId);
    const restarted = make();
    expect(await restarted.findByKey!("demo", "github|acme/api|ok|push|refs/heads/main|abc", before - 1000)).toEqual(started);
    expect(await restarted.findByKey!("other", "github|acme/api|ok|push|refs/heads/main|abc", 0)).toBeUndefined();
    expect(await restarted.findByKey!("demo", "another key", 0)).toBeUndefined();
    expect(await restarted.findByKey!("demo", "github|acme/api|ok|push|refs/heads/main|abc", Date.now() + 60_000)).toBeUndefined();
  });
});

describe("route builder: findByKey goes to the route's builder", () => {
  const route = (name: string, builder: "local" | "codebuild") => ({ name, builder }) as unknown as RouteRule;

  it("asks the local runner for a local route and CodeBuild otherwise", async () => {
    const codebuild = new RecordingBuilder();
    const local = new RecordingBuilder();
    const routed = createRouteBuilder({ codebuild, local, routes: [route("here", "local"), route("there", "codebuild")] });
    await routed.findByKey!("p", "k1", 5, "here");
    await routed.findByKey!("p", "k2", 5, "there");
    await routed.findByKey!("p", "k3", 5);
    expect(local.finds.map((f) => f.key)).toEqual(["k1"]);
    expect(codebuild.finds.map((f) => f.key)).toEqual(["k2", "k3"]);
  });

  it("answers undefined when that builder cannot look builds up", async () => {
    const bare: Builder = { maxPollBatch: 100, start: () => Promise.reject(new Error("not here")), poll: async () => ({ snapshots: [], notFound: [] }), stop: async () => undefined };
    const routed = createRouteBuilder({ codebuild: bare, routes: [] });
    expect(await routed.findByKey!("p", "k", 0)).toBeUndefined();
  });
});
