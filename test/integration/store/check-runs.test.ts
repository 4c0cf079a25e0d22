import type { Store } from "../../../src/store/store.js";
import { newBuild, routeBuilds } from "../../helpers/store-fixtures.js";
import { storeTargets, trackStores } from "../../helpers/store-targets.js";

const targets = await storeTargets();
const NOW = 10_000_000;

describe.each(targets)("store on $name: check runs (migration 011)", (target) => {
  const open = trackStores();
  let store: Store;
  beforeEach(async () => {
    store = await open({ url: await target.freshUrl(), maxAttempts: 4 });
  });

  it("keeps a build's run and how many annotations it got; the first id recorded stays", async () => {
    const [id] = await routeBuilds(store, "d-1", [newBuild("api", "k-1")], NOW);
    expect(await store.getCheckRun(id!)).toBeUndefined();
    // GitHub's check run ids are past 2^31 by now: they must survive both engines.
    const runId = 2 ** 33 + 17;
    await store.saveCheckRun(id!, runId, NOW);
    await store.saveCheckRun(id!, 999, NOW + 1);
    expect(await store.getCheckRun(id!)).toEqual({ buildId: id, checkRunId: runId, annotationsSent: 0 });
    await store.saveAnnotationsSent(id!, 100, NOW + 2);
    expect((await store.getCheckRun(id!))?.annotationsSent).toBe(100);
  });

  it("is current with migration 011 applied", async () => {
    expect(await store.schemaIsCurrent()).toBe(true);
  });
});
