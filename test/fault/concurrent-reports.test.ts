import pino from "pino";
import { createReportStatus } from "../../src/pipeline/report-status.js";
import type { Reporter } from "../../src/pipeline/reporter.js";
import type { JobRow, StatusReportRow } from "../../src/store/store.js";
import { buildRow } from "../helpers/store-fixtures.js";

// Two report jobs of one build can run at once: one was running when the build changed again and
// queued the next. Both read the last post before either saved it; without turn-taking both post
// the same state (seen end to end: "Build queued" twice on ~1 of 15 commits under load).

const job = (id: number): JobRow => ({ id, kind: "report_status", payload: "{}", state: "running", attempts: 1, max_attempts: 10, run_at: 0, lease_until: null, leased_by: "w", last_error: null, created_at: 0, updated_at: 0, dedupe_key: null }) as JobRow;

describe("fault: concurrent report jobs of one build", () => {
  it("post each state once, however many run at the same time", async () => {
    const build = buildRow({ id: 7, state: "queued", started_at: 1_000 });
    let saved: StatusReportRow | undefined;
    const posted: string[] = [];
    const reporter: Reporter = {
      desired: (_b, status) => ({ state: status.state, description: status.description }),
      reserve: () => 0,
      // A slow post: long enough for every job to read the (not yet saved) last report first.
      post: async (_b, status) => {
        await new Promise((r) => setTimeout(r, 30));
        posted.push(`${status.state}|${status.description}`);
      },
      classify: (err) => err,
    };
    const handler = createReportStatus({
      store: {
        getBuild: async () => build,
        latestBuildForTarget: async () => build,
        getStatusReport: async () => saved,
        saveStatusReport: async (row) => {
          saved = { ...row, id: 1 } as StatusReportRow;
        },
      },
      reporterOf: () => reporter,
      publicUrl: "https://buildgate.example",
    });
    const log = pino({ level: "silent" });
    await Promise.all([1, 2, 3].map((id) => handler.run({ buildId: 7 }, { job: job(id), log })));
    expect(posted).toEqual(["pending|Build queued"]);

    // A later state is still posted, and a failing post does not block the next job of the build.
    build.state = "succeeded";
    build.ended_at = 31_000;
    reporter.post = async () => {
      throw new Error("boom");
    };
    await expect(handler.run({ buildId: 7 }, { job: job(4), log })).rejects.toThrow("boom");
    reporter.post = async (_b, status) => void posted.push(`${status.state}|${status.description}`);
    await handler.run({ buildId: 7 }, { job: job(5), log });
    expect(posted).toEqual(["pending|Build queued", "success|Succeeded in 30s"]);
  });
});
