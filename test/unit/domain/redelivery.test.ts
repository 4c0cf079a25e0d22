import { pickRedeliveries, unsettledGuids, type HookDelivery, type RedeliveryPolicy } from "../../../src/domain/redelivery.js";

const NOW = 1_700_000_000_000;
const HOUR = 3600_000;
const POLICY: RedeliveryPolicy = { since: NOW - 72 * HOUR, maxRedeliveries: 3, limit: 50 };

let nextId = 1;
const attempt = (guid: string, over: Partial<HookDelivery> = {}): HookDelivery => ({
  id: nextId++,
  guid,
  deliveredAt: NOW - HOUR,
  redelivery: false,
  status: "Invalid HTTP Response: 503",
  statusCode: 503,
  event: "push",
  action: null,
  ...over,
});
const ok = (guid: string, over: Partial<HookDelivery> = {}) => attempt(guid, { status: "OK", statusCode: 202, ...over });

describe("pickRedeliveries", () => {
  it.each<{ name: string; deliveries: HookDelivery[]; known?: string[]; policy?: Partial<RedeliveryPolicy>; want: string[] }>([
    { name: "a failed delivery we never stored", deliveries: [attempt("a")], want: ["a"] },
    { name: "a delivery that succeeded", deliveries: [ok("a")], want: [] },
    { name: "failed first, redelivered successfully since", deliveries: [attempt("a"), ok("a", { redelivery: true })], want: [] },
    { name: "failed, but in our inbox (stored, answered too late)", deliveries: [attempt("a")], known: ["a"], want: [] },
    { name: "a timeout (status_code 0)", deliveries: [attempt("a", { status: "timed out", statusCode: 0 })], want: ["a"] },
    { name: "failed and redelivered twice, both failed: once more", deliveries: [attempt("a"), attempt("a", { redelivery: true }), attempt("a", { redelivery: true })], want: ["a"] },
    { name: "three failed redeliveries: left alone", deliveries: [attempt("a"), ...[1, 2, 3].map(() => attempt("a", { redelivery: true }))], want: [] },
    { name: "older than the lookback", deliveries: [attempt("a", { deliveredAt: NOW - 73 * HOUR })], want: [] },
    { name: "no guid", deliveries: [attempt("")], want: [] },
    {
      name: "oldest first, bounded by the limit",
      deliveries: [attempt("new", { deliveredAt: NOW - HOUR }), attempt("old", { deliveredAt: NOW - 50 * HOUR }), attempt("mid", { deliveredAt: NOW - 10 * HOUR })],
      policy: { limit: 2 },
      want: ["old", "mid"],
    },
    { name: "a limit of 0", deliveries: [attempt("a")], policy: { limit: 0 }, want: [] },
  ])("$name", ({ deliveries, known = [], policy = {}, want }) => {
    expect(pickRedeliveries(deliveries, new Set(known), { ...POLICY, ...policy }).map((p) => p.guid)).toEqual(want);
  });

  it("redelivers the newest failed attempt of a guid and dates it by the first", () => {
    const first = attempt("a", { deliveredAt: NOW - 5 * HOUR, event: "pull_request", action: "opened" });
    const again = attempt("a", { deliveredAt: NOW - 2 * HOUR, redelivery: true, event: "pull_request", action: "opened", statusCode: 502 });
    expect(pickRedeliveries([again, first], new Set(), POLICY)).toEqual([{ id: again.id, guid: "a", event: "pull_request", action: "opened", deliveredAt: NOW - 5 * HOUR, statusCode: 502, redeliveries: 1 }]);
  });
});

describe("unsettledGuids", () => {
  it("lists each guid none of whose attempts succeeded, once", () => {
    expect(unsettledGuids([attempt("a"), attempt("a"), ok("b"), attempt("c"), attempt("b"), attempt("")])).toEqual(["a", "c"]);
  });
});
