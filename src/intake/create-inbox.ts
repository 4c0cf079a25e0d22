import type { InsertOutcome, NewDelivery, Store } from "../store/store.js";

export interface Inbox {
  /** Resolves once the delivery is committed (or known as a duplicate); rejects when it could not be stored. */
  accept(delivery: NewDelivery): Promise<InsertOutcome>;
}

interface Pending {
  readonly delivery: NewDelivery;
  resolve(outcome: InsertOutcome): void;
  reject(err: unknown): void;
}

/**
 * Group commit: deliveries that arrive while a commit is under way are written together in
 * the next transaction (one fsync for all of them); each caller is answered after its batch
 * commits. A single delivery on an idle server is committed at once (on the next turn of the
 * event loop).
 *
 * The first flush waits for `setImmediate`: SQLite commits synchronously, so a flush started
 * by the first request of an event-loop turn would commit it alone while the requests read in
 * the same turn wait behind its fsync. Deferring to the check phase lets every request whose
 * body arrived in this turn join the batch (measured: batches of 1 became batches of ~50 under
 * 50 concurrent connections; see docs/benchmarks.md).
 */
export function createInbox(store: Pick<Store, "insertDeliveries">, onCommitted: () => void, maxBatch = 256): Inbox {
  let queue: Pending[] = [];
  let flushing = false;
  let scheduled = false;

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const outcomes = await store.insertDeliveries(batch.map((p) => p.delivery));
        batch.forEach((p, i) => p.resolve(outcomes[i] as InsertOutcome));
        if (outcomes.includes("accepted")) onCommitted();
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
    flushing = false;
  }

  return {
    accept(delivery) {
      return new Promise<InsertOutcome>((resolve, reject) => {
        queue.push({ delivery, resolve, reject });
        if (flushing || scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          void flush();
        });
      });
    },
  };
}
