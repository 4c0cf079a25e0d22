import { deliveryOutcome, routingSummary } from "../../../src/store/delivery-outcome.js";

describe("deliveryOutcome", () => {
  it.each([
    ["routed to a build", { status: "routed", reason: routingSummary(1, 2, 1, 0) }, undefined, "routed", "routed"],
    ["routed, already built", { status: "routed", reason: routingSummary(1, 1, 0, 1) }, undefined, "routed", "routed"],
    ["routed, no route matched (from the summary)", { status: "routed", reason: routingSummary(0, 3, 0, 0) }, undefined, "unmatched", "no route matched"],
    ["routed, no route matched (from the decisions)", { status: "routed", reason: null }, [{ matched: 0 }, { matched: 0 }], "unmatched", "no route matched"],
    ["routed, one of two matched (decisions win over the text)", { status: "routed", reason: "0 of 2 routes matched; odd" }, [{ matched: 0 }, { matched: 1 }], "routed", "routed"],
    ["ignored", { status: "ignored", reason: "ping" }, undefined, "ignored", "ignored"],
    ["received", { status: "received", reason: null }, undefined, "received", "received"],
    ["failed", { status: "failed", reason: "bad" }, undefined, "failed", "failed"],
  ] as const)("%s", (_name, d, decisions, outcome, label) => {
    expect(deliveryOutcome(d, decisions)).toEqual({ outcome, label });
  });
  it("writes the summary recordRouting stores", () => {
    expect(routingSummary(2, 3, 2, 0)).toBe("2 of 3 routes matched; 2 build(s) created");
    expect(routingSummary(1, 1, 0, 1)).toBe("1 of 1 routes matched; 0 build(s) created, 1 already built");
  });
});
