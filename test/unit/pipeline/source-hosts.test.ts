import pino from "pino";
import { parseConfig } from "../../../src/config/load-config.js";
import type { NormalizeResult } from "../../../src/domain/source-event.js";
import { createHandlers } from "../../../src/pipeline/create-handlers.js";
import { PermanentJobError, RetryLaterError } from "../../../src/pipeline/job-errors.js";
import type { JobContext } from "../../../src/pipeline/job-runner.js";
import { createProcessDelivery } from "../../../src/pipeline/process-delivery.js";
import { recoveryJobs } from "../../../src/pipeline/recovery-jobs.js";
import { createSourceHosts, type SourceHost } from "../../../src/pipeline/source-host.js";
import { createCodeCommitHost } from "../../../src/providers/codecommit/codecommit-host.js";
import { CodeCommitApiError } from "../../../src/providers/codecommit/codecommit-api.js";
import { GithubApiError } from "../../../src/providers/github/github-api.js";
import { createGithubHost } from "../../../src/providers/github/github-host.js";
import { createLoggingGithubApi } from "../../../src/providers/github/logging-github-api.js";
import type { DeliveryRow, JobRow, RoutingRecord, Store } from "../../../src/store/store.js";
import { RecordingBuilder } from "../../fakes/recording-builder.js";
import { pushEvent } from "../domain/builders.js";

const log = pino({ level: "silent" });
const config = (extra = "") =>
  parseConfig(`github: { webhookSecrets: ["0123456789abcdef0123"] }\nroutes:\n  - { name: app, source: { github: acme/app }, on: [push], project: app-ci }\n${extra}`, {});

/** A host for a made-up source: what adding a host (GitLab, say) gives the pipeline. */
function fakeHost(over: Partial<SourceHost> = {}): SourceHost {
  return {
    provider: "github",
    sources: ["fake"],
    normalize: (_event, payload) => ({ kind: "event", event: pushEvent("main", { repository: "acme/app", deliveryId: String((payload as { id: string }).id) }) }),
    enrich: async (r) => r,
    jobError: (err) => err,
    ...over,
  };
}

function deliveryStore(source: string) {
  const records: RoutingRecord[] = [];
  const delivery: DeliveryRow = { id: 1, source, delivery_id: "d-1", event: "push", received_at: 0, headers: "{}", body: JSON.stringify({ id: "d-1" }), body_sha256: "", status: "received", reason: null, processed_at: null };
  const store: Pick<Store, "getDelivery" | "recordRouting"> = {
    getDelivery: async () => delivery,
    recordRouting: async (_id, record) => (records.push(record), { recorded: true, createdBuildIds: [], duplicateBuildIds: [] }),
  };
  return { store, records };
}

const ctx = (): JobContext => ({ job: { attempts: 1 } as JobRow, log: log.child({}) });
const route = (e: Parameters<Parameters<typeof createProcessDelivery>[0]["route"]>[0]) => ({ plans: [], decisions: [{ route: "app", matched: false, reason: `saw ${e.deliveryId}` }] });

describe("source hosts", () => {
  it("finds a host by delivery source and by build provider", () => {
    const github = createGithubHost({ config: config(), store: {} as Store, log, api: createLoggingGithubApi(log) });
    const codecommit = createCodeCommitHost({ config: config(), api: null });
    const hosts = createSourceHosts([github, codecommit]);
    expect(hosts.forSource("github")).toBe(github);
    expect(hosts.forSource("sns")).toBe(codecommit);
    expect(hosts.forSource("eventbridge")).toBe(codecommit);
    expect(hosts.forProvider("codecommit")).toBe(codecommit);
    expect(hosts.forSource("gitlab")).toBeUndefined();
    // CodeCommit without an API (no codecommit section): deliveries are normalized, nothing is reported.
    expect(codecommit.reporter).toBeUndefined();
    expect(github.reporter).toBeDefined();
  });

  it("refuses two hosts that claim one source or one provider", () => {
    expect(() => createSourceHosts([fakeHost(), fakeHost({ provider: "codecommit" })])).toThrow("two source hosts claim fake");
    expect(() => createSourceHosts([fakeHost(), fakeHost({ sources: ["other"] })])).toThrow("two source hosts claim github");
  });

  it("each host maps only its own API errors to job errors", () => {
    const github = createGithubHost({ config: config(), store: {} as Store, log, api: createLoggingGithubApi(log) });
    const codecommit = createCodeCommitHost({ config: config(), api: null });
    const gh500 = new GithubApiError("boom", 500, {});
    const ccThrottled = new CodeCommitApiError("slow down", "ThrottlingException", true);
    expect(github.jobError(gh500, 1, 0)).toBeInstanceOf(RetryLaterError);
    expect(github.jobError(new GithubApiError("no", 404, {}), 1, 0)).toBeInstanceOf(PermanentJobError);
    expect(github.jobError(ccThrottled, 1, 0)).toBe(ccThrottled);
    expect(codecommit.jobError(ccThrottled, 1, 0)).toBeInstanceOf(RetryLaterError);
    expect(codecommit.jobError(new CodeCommitApiError("gone", "RepositoryDoesNotExistException", false), 1, 0)).toBeInstanceOf(PermanentJobError);
    expect(codecommit.jobError(gh500, 1, 0)).toBe(gh500);
  });

  it("the GitHub host owns the redelivery sweep: its job is scheduled only when enabled, its handler always registered", () => {
    const off = createGithubHost({ config: config(), store: {} as Store, log, api: createLoggingGithubApi(log) });
    const on = createGithubHost({ config: redeliveryConfig(), store: {} as Store, log, api: createLoggingGithubApi(log) });
    expect(recoveryJobs(createSourceHosts([off])).map((j) => j.kind)).toEqual(["sweep_stuck"]);
    expect(recoveryJobs(createSourceHosts([on])).map((j) => j.kind)).toEqual(["sweep_stuck", "redeliver_github"]);
    expect(Object.keys(off.jobs?.handlers ?? {})).toEqual(["redeliver_github"]);
    const handlers = createHandlers({ config: config(), store: {} as Store, builder: new RecordingBuilder(), hosts: createSourceHosts([on]), log, wake: () => undefined });
    expect(handlers.redeliver_github).toBe(on.jobs?.handlers.redeliver_github);
  });

  it("a host's job kind may not take a pipeline job's name", () => {
    const clash = fakeHost({ jobs: { handlers: { report_status: { run: async () => undefined } }, singletons: [] } });
    expect(() => createHandlers({ config: config(), store: {} as Store, builder: new RecordingBuilder(), hosts: createSourceHosts([clash]), log, wake: () => undefined })).toThrow("job kind report_status has two handlers");
  });
});

function redeliveryConfig() {
  return parseConfig(
    `github:\n  webhookSecrets: ["0123456789abcdef0123"]\n  auth: { token: t }\n  redelivery: { enabled: true }\nroutes:\n  - { name: app, source: { github: acme/app }, on: [push], project: app-ci }\n`,
    {},
  );
}

describe("process_delivery asks the delivery's host", () => {
  it("normalizes and enriches through the host of the delivery's source", async () => {
    const seen: NormalizeResult[] = [];
    const { store, records } = deliveryStore("fake");
    const host = fakeHost({ enrich: async (r) => (seen.push(r), r) });
    await createProcessDelivery({ store, hosts: createSourceHosts([host]), route, onBuildsCreated: () => undefined }).run({ deliveryRowId: 1 }, ctx());
    expect(seen).toHaveLength(1);
    expect(records).toEqual([{ status: "routed", decisions: [{ route: "app", matched: false, reason: "saw d-1" }] }]);
  });

  it("a source no host handles is ignored with the reason", async () => {
    const { store, records } = deliveryStore("gitlab");
    await createProcessDelivery({ store, hosts: createSourceHosts([fakeHost()]), route, onBuildsCreated: () => undefined }).run({ deliveryRowId: 1 }, ctx());
    expect(records).toEqual([{ status: "ignored", reason: "no source host handles gitlab deliveries" }]);
  });

  it("an enrich failure becomes the host's job error", async () => {
    const { store, records } = deliveryStore("fake");
    const host = fakeHost({
      enrich: async () => {
        throw new Error("api down");
      },
      jobError: (err) => new RetryLaterError(`host says: ${(err as Error).message}`, 1234),
    });
    const run = createProcessDelivery({ store, hosts: createSourceHosts([host]), route, onBuildsCreated: () => undefined }).run({ deliveryRowId: 1 }, ctx());
    await expect(run).rejects.toMatchObject({ name: "RetryLaterError", message: "host says: api down", delayMs: 1234 });
    expect(records).toEqual([]);
  });
});
