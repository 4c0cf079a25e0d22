import { createInbox } from "../../../src/intake/create-inbox.js";
import type { InsertOutcome, NewDelivery } from "../../../src/store/store.js";

const delivery = (deliveryId: string): NewDelivery => ({ source: "github", deliveryId, event: "push", headers: {}, body: "{}", bodySha256: "0", receivedAt: 1 });

/** A store that records each batch and commits when told to. */
function recordingStore(fail = false) {
  const batches: string[][] = [];
  return {
    batches,
    async insertDeliveries(rows: readonly NewDelivery[]): Promise<InsertOutcome[]> {
      batches.push(rows.map((r) => r.deliveryId));
      if (fail) throw new Error("disk full");
      return rows.map((r) => (r.deliveryId.startsWith("dup") ? "duplicate" : "accepted"));
    },
  };
}

describe("createInbox (group commit)", () => {
  it("commits deliveries accepted in the same turn of the event loop as one batch", async () => {
    const store = recordingStore();
    let committed = 0;
    const inbox = createInbox(store, () => committed++);
    const outcomes = await Promise.all(["a", "b", "dup-c"].map((id) => inbox.accept(delivery(id))));
    expect(store.batches).toEqual([["a", "b", "dup-c"]]);
    expect(outcomes).toEqual(["accepted", "accepted", "duplicate"]);
    expect(committed).toBe(1);
  });

  it("commits a lone delivery by itself, and a later one in a new batch", async () => {
    const store = recordingStore();
    const inbox = createInbox(store, () => undefined);
    await inbox.accept(delivery("a"));
    await inbox.accept(delivery("b"));
    expect(store.batches).toEqual([["a"], ["b"]]);
  });

  it("splits a queue longer than maxBatch into several transactions", async () => {
    const store = recordingStore();
    const inbox = createInbox(store, () => undefined, 2);
    await Promise.all(["a", "b", "c", "d", "e"].map((id) => inbox.accept(delivery(id))));
    expect(store.batches).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("rejects every delivery of a batch that could not be stored, and does not signal a commit", async () => {
    const store = recordingStore(true);
    let committed = 0;
    const inbox = createInbox(store, () => committed++);
    const results = await Promise.allSettled(["a", "b"].map((id) => inbox.accept(delivery(id))));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(committed).toBe(0);
  });
});
