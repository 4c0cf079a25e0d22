/** One attempt of a webhook delivery, as GitHub's hook deliveries API lists it. */
export interface HookDelivery {
  /** The attempt's id (what `…/deliveries/{id}/attempts` takes). */
  readonly id: number;
  /** X-GitHub-Delivery: the same for every attempt of one event. */
  readonly guid: string;
  readonly deliveredAt: number;
  /** True for an attempt made by a redelivery request. */
  readonly redelivery: boolean;
  /** "OK" when the receiver answered 2xx; anything else is a failure. */
  readonly status: string;
  readonly statusCode: number;
  readonly event: string;
  readonly action: string | null;
}

/** A delivery to ask GitHub to send again. */
export interface RedeliveryPick {
  readonly id: number;
  readonly guid: string;
  readonly event: string;
  readonly action: string | null;
  readonly deliveredAt: number;
  readonly statusCode: number;
  /** Redeliveries already requested for this guid (failed too). */
  readonly redeliveries: number;
}

export interface RedeliveryPolicy {
  /** Only attempts delivered at or after this time (GitHub keeps 3 days). */
  readonly since: number;
  /** Give up on a guid after this many failed redeliveries (the receiver's path is broken, not down). */
  readonly maxRedeliveries: number;
  /** At most this many picks per run. */
  readonly limit: number;
}

/** The guids none of whose attempts succeeded (the ones worth checking against the inbox). */
export function unsettledGuids(deliveries: readonly HookDelivery[]): string[] {
  const ok = new Set(deliveries.filter((d) => d.status === "OK").map((d) => d.guid));
  return [...new Set(deliveries.filter((d) => d.guid !== "" && !ok.has(d.guid)).map((d) => d.guid))];
}

/**
 * Which failed deliveries to redeliver: per guid, none of its attempts succeeded, we never stored
 * it (`known` holds the guids in our inbox: an event stored but answered late counts as delivered),
 * and fewer than `maxRedeliveries` redeliveries failed already. Oldest first, so those closest to
 * leaving GitHub's window go first; the newest failed attempt of each guid is the one redelivered.
 */
export function pickRedeliveries(deliveries: readonly HookDelivery[], known: ReadonlySet<string>, p: RedeliveryPolicy): RedeliveryPick[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const d of deliveries) {
    if (d.guid === "") continue;
    const list = byGuid.get(d.guid);
    if (list) list.push(d);
    else byGuid.set(d.guid, [d]);
  }
  const picks: RedeliveryPick[] = [];
  for (const [guid, attempts] of byGuid) {
    if (known.has(guid) || attempts.some((a) => a.status === "OK")) continue;
    const redeliveries = attempts.filter((a) => a.redelivery).length;
    if (redeliveries >= p.maxRedeliveries) continue;
    const first = attempts.reduce((a, b) => (b.deliveredAt < a.deliveredAt ? b : a));
    if (first.deliveredAt < p.since) continue;
    const latest = attempts.reduce((a, b) => (b.deliveredAt > a.deliveredAt || (b.deliveredAt === a.deliveredAt && b.id > a.id) ? b : a));
    picks.push({ id: latest.id, guid, event: latest.event, action: latest.action, deliveredAt: first.deliveredAt, statusCode: latest.statusCode, redeliveries });
  }
  return picks.sort((a, b) => a.deliveredAt - b.deliveredAt || a.id - b.id).slice(0, p.limit);
}
